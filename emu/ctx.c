/* SPDX-License-Identifier: MIT */
#include "ctx.h"
#include "hash.h"

_Thread_local struct emu_run_ctx emu_ctx EMU_TLS_IE;
_Thread_local struct emu_ref_state emu_refs;
_Thread_local int emu_hash_oom;
