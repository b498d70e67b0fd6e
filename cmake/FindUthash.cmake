# SPDX-License-Identifier: MIT
#
# FindUthash: the header-only uthash (https://troydhanson.github.io/uthash/).
# bpfemu includes it only through emu/hash.h.
#
# Result: Uthash_FOUND, Uthash_INCLUDE_DIR and the imported INTERFACE
# target Uthash::Uthash.

find_path(Uthash_INCLUDE_DIR uthash.h
	PATHS /opt/homebrew/include /usr/local/include)

include(FindPackageHandleStandardArgs)
find_package_handle_standard_args(Uthash REQUIRED_VARS Uthash_INCLUDE_DIR)
mark_as_advanced(Uthash_INCLUDE_DIR)

if(Uthash_FOUND AND NOT TARGET Uthash::Uthash)
	add_library(Uthash::Uthash INTERFACE IMPORTED)
	set_target_properties(Uthash::Uthash PROPERTIES
		INTERFACE_INCLUDE_DIRECTORIES "${Uthash_INCLUDE_DIR}")
endif()
