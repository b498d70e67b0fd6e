// SPDX-License-Identifier: MIT
/*
 * bpfemu-gen: turn one libbpf-style BPF C object into native C.
 *
 *   bpfemu-gen NAME PREPROCESSED.i OUT.bpfemu.c OUT.skel.h INCLUDE_DIR
 *
 * PREPROCESSED.i is `$CC -E -DBPFEMU_SCAN <flags> X.bpf.c`: our
 * <bpf/bpf_helpers.h> turned SEC(), __uint(), __type(), __array(),
 * __ulong() and __kconfig into marker calls.  We tokenize it, use the
 * linemarkers to tell the program's own text (anything not under
 * INCLUDE_DIR and not a system header) from headers, and cut the file scope
 * into declarations.  We never parse expressions: only declarations, plus
 * the identifiers each function body mentions (for helper reachability).
 *
 * OUT.bpfemu.c is the same text, linemarkers kept, with:
 *   - markers replaced by libbpf's native expansions;
 *   - `static` in front of every definition of the program text, so that
 *     several objects link into one binary;
 *   - `const` dropped from .rodata globals, so the runtime can write them
 *     before load;
 * followed by tables where the compiler computes map attributes
 * (sizeof(*m.max_entries) / sizeof(int)), special-field offsets (offsetof),
 * and global variable layouts; see <bpfemu/gen.h>.
 * OUT.skel.h is bpftool's skeleton API over those tables.
 */
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

enum tok_kind { T_IDENT, T_NUM, T_STR, T_CHAR, T_PUNCT };

struct tok {
	enum tok_kind kind;
	int start, end;		/* byte range in the source */
	bool prog;		/* program text (not a header) */
	char *repl;		/* replacement text, "" = delete */
	char *before;		/* inserted before the token */
};

struct member {
	char *type;		/* "struct x", or "" */
	int body_lo, body_hi;	/* inline struct body tokens, or -1 */
	char *name;		/* "" for anonymous */
	bool ptr, array;
};

struct agg {
	char *name;		/* "struct x" or typedef name */
	int lo, hi;		/* body tokens (exclusive of braces) */
	char *alias;		/* typedef of "struct x" */
};

struct func {
	char *name;
	int body_lo, body_hi;	/* -1 if only declared */
	char *sec;		/* SEC string if any */
	int decl_tok;		/* first token of a declaration carrying the SEC */
	bool mark;
	int nr_global_maps;	/* programs: global sections reached */
};

struct gvar {
	char *name;
	int sec;		/* 0 bss, 1 data, 2 rodata */
	char *member;		/* "int x[4]" as written in the skeleton */
};

struct mapdef {
	char *name;
	int body_lo, body_hi;
	int init_lo, init_hi;	/* tokens of " = { ... }", or -1 */
	char *value_type;
};

static const char *src;
static size_t src_len;
static struct tok *toks;
static int ntok, captok;
static const char *objname;
static const char *incdir;
static char *incdir_real;	/* realpath(incdir), or NULL */
static bool incdir_seen;	/* some linemarker named a file under incdir */

static struct func *funcs;
static int nfunc;
static struct gvar *gvars;
static int ngvar;
static struct mapdef *maps;
static int nmap;
static struct agg *aggs;
static int nagg;
static char *license;
static char *helper_names[256];
static int ulong_seq;

static void die(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "bpfemu-gen: %s: ", objname ? objname : "?");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(1);
}

static void *xcalloc(size_t n, size_t sz)
{
	void *p = calloc(n ? n : 1, sz);

	if (!p)
		die("out of memory");
	return p;
}

static char *xstrndup(const char *s, size_t n)
{
	char *p = xcalloc(1, n + 1);

	memcpy(p, s, n);
	return p;
}

static char *xasprintf(const char *fmt, ...)
{
	va_list ap;
	char *p;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	p = xcalloc(1, n + 1);
	va_start(ap, fmt);
	vsnprintf(p, n + 1, fmt, ap);
	va_end(ap);
	return p;
}

#define GROW(arr, n, cap)						\
	do {								\
		if ((n) >= (cap)) {					\
			(cap) = (cap) ? 2 * (cap) : 64;			\
			(arr) = realloc((arr), (cap) * sizeof(*(arr)));	\
			if (!(arr))					\
				die("out of memory");			\
		}							\
	} while (0)

/* ------------------------------------------------------------ tokenizer */

static bool tok_is(int i, const char *s)
{
	size_t n = strlen(s);

	if (i < 0 || i >= ntok)
		return false;
	return (size_t)(toks[i].end - toks[i].start) == n && !memcmp(src + toks[i].start, s, n);
}

static char *tok_str(int i)
{
	return xstrndup(src + toks[i].start, toks[i].end - toks[i].start);
}

/* Text of tokens [lo, hi) as written, joined by single spaces. */
static char *toks_text(int lo, int hi)
{
	size_t len = 1;
	char *p;
	int i;

	for (i = lo; i < hi; i++)
		len += toks[i].end - toks[i].start + 1;
	p = xcalloc(1, len);
	for (i = lo; i < hi; i++) {
		if (i > lo)
			strcat(p, " ");
		strncat(p, src + toks[i].start, toks[i].end - toks[i].start);
	}
	return p;
}

/* Like toks_text, with the replacements made so far (nested markers). */
static char *toks_text_repl(int lo, int hi)
{
	char *p = xcalloc(1, 1);
	int i;

	for (i = lo; i < hi; i++) {
		const char *t = toks[i].repl ? toks[i].repl : NULL;

		if (t && !t[0])
			continue;
		p = t ? xasprintf("%s%s%s", p, p[0] ? " " : "", t) :
			xasprintf("%s%s%.*s", p, p[0] ? " " : "", toks[i].end - toks[i].start,
				  src + toks[i].start);
	}
	return p;
}

static bool path_under(const char *path, const char *dir)
{
	size_t n = strlen(dir);

	while (n > 1 && dir[n - 1] == '/')
		n--;
	return !strncmp(path, dir, n) && (path[n] == '/' || path[n] == '\0');
}

/*
 * The preprocessor writes a header's path as its -I spelled it, which
 * need not be how INCLUDE_DIR is spelled (pkg-config's
 * "prefix/lib/pkgconfig/../../include/bpfemu", a relative -I, a symlinked
 * prefix): when the spellings differ, compare canonical paths.  The last
 * answer is kept, as linemarkers repeat the same few files.
 */
static bool path_in_incdir(const char *path)
{
	static char last[4096];
	static bool last_ans;
	char buf[PATH_MAX];

	if (path_under(path, incdir))
		return true;
	if (!incdir_real)
		return false;
	if (!strcmp(path, last))
		return last_ans;
	last_ans = realpath(path, buf) && path_under(buf, incdir_real);
	snprintf(last, sizeof(last), "%s", path);
	return last_ans;
}

static bool path_is_header(const char *path, int flags3)
{
	if (path[0] != '<' && path_in_incdir(path)) {
		incdir_seen = true;
		return true;
	}
	return flags3 || path[0] == '<';
}

static void tokenize(void)
{
	size_t i = 0;
	bool line_start = true, prog = false;

	while (i < src_len) {
		char c = src[i];
		struct tok *t;

		if (c == '\n') {
			line_start = true;
			i++;
			continue;
		}
		if (isspace((unsigned char)c)) {
			i++;
			continue;
		}
		if (c == '#' && line_start) {
			/* linemarker: # N "file" flags, or a #pragma to keep */
			size_t e = i;
			char path[4096];
			int lineno, flags3 = 0;

			while (e < src_len && src[e] != '\n')
				e++;
			if (sscanf(src + i, "# %d \"%4095[^\"]\"", &lineno, path) == 2) {
				const char *q = memchr(src + i, '"', e - i);

				q = q ? memchr(q + 1, '"', src + e - q - 1) : NULL;
				for (; q && q < src + e; q++)
					if (*q == '3' && q[-1] == ' ')
						flags3 = 1;
				prog = !path_is_header(path, flags3);
			}
			i = e;
			continue;
		}
		line_start = false;
		GROW(toks, ntok, captok);
		t = &toks[ntok++];
		memset(t, 0, sizeof(*t));
		t->start = i;
		t->prog = prog;
		if (isalpha((unsigned char)c) || c == '_' || c == '$') {
			while (i < src_len && (isalnum((unsigned char)src[i]) || src[i] == '_' || src[i] == '$'))
				i++;
			t->kind = T_IDENT;
		} else if (isdigit((unsigned char)c) || (c == '.' && i + 1 < src_len && isdigit((unsigned char)src[i + 1]))) {
			while (i < src_len && (isalnum((unsigned char)src[i]) || src[i] == '.' || src[i] == '_' ||
					       ((src[i] == '+' || src[i] == '-') && (src[i - 1] == 'e' || src[i - 1] == 'E' || src[i - 1] == 'p' || src[i - 1] == 'P'))))
				i++;
			t->kind = T_NUM;
		} else if (c == '"' || c == '\'') {
			i++;
			while (i < src_len && src[i] != c) {
				if (src[i] == '\\')
					i++;
				i++;
			}
			i++;
			t->kind = c == '"' ? T_STR : T_CHAR;
		} else {
			static const char *const ops[] = { "...", "<<=", ">>=", "->", "++", "--", "<<", ">>",
				"<=", ">=", "==", "!=", "&&", "||", "+=", "-=", "*=", "/=", "%=", "&=",
				"|=", "^=", "##", NULL };
			int k;

			t->kind = T_PUNCT;
			for (k = 0; ops[k]; k++)
				if (!strncmp(src + i, ops[k], strlen(ops[k])))
					break;
			i += ops[k] ? strlen(ops[k]) : 1;
		}
		t->end = i;
	}
}

/* Index of the token closing the bracket opened at @i. */
static int match(int i)
{
	char open = src[toks[i].start], close = open == '(' ? ')' : open == '[' ? ']' : '}';
	int depth = 0;

	for (; i < ntok; i++) {
		if (toks[i].kind != T_PUNCT)
			continue;
		if (src[toks[i].start] == open && toks[i].end - toks[i].start == 1)
			depth++;
		else if (src[toks[i].start] == close && toks[i].end - toks[i].start == 1 && --depth == 0)
			return i;
	}
	die("unbalanced '%c'", open);
	return -1;
}

static bool is_open(int i)
{
	return tok_is(i, "(") || tok_is(i, "[") || tok_is(i, "{");
}

/* Constructs that sit among declaration specifiers but are not names. */
static bool skip_group(int i)
{
	static const char *const kw[] = { "__attribute__", "__attribute", "typeof", "__typeof__",
		"__typeof", "__bpfemu_sec__", "__asm__", "asm", "__asm", "_Alignas", "__declspec",
		"__bpfemu_uint__", "__bpfemu_type__", "__bpfemu_array__", "__bpfemu_ulong__", NULL };
	int k;

	for (k = 0; kw[k]; k++)
		if (tok_is(i, kw[k]))
			return tok_is(i + 1, "(");
	return false;
}

static const char *const keywords[] = { "struct", "union", "enum", "const", "volatile", "static",
	"extern", "inline", "__inline", "__inline__", "int", "char", "short", "long", "unsigned",
	"signed", "void", "_Bool", "float", "double", "typedef", "register", "restrict",
	"__restrict", "_Thread_local", "__thread", "__extension__", "auto", "__bpfemu_kconfig__", NULL };

static bool is_keyword(int i)
{
	int k;

	for (k = 0; keywords[k]; k++)
		if (tok_is(i, keywords[k]))
			return true;
	return false;
}

/* ------------------------------------------------------------ analysis */

static struct func *func_find(const char *name)
{
	int i;

	for (i = 0; i < nfunc; i++)
		if (!strcmp(funcs[i].name, name))
			return &funcs[i];
	return NULL;
}

static struct func *func_get(const char *name)
{
	static int cap;
	struct func *f = func_find(name);

	if (f)
		return f;
	GROW(funcs, nfunc, cap);
	f = &funcs[nfunc++];
	memset(f, 0, sizeof(*f));
	f->name = xasprintf("%s", name);
	f->body_lo = f->body_hi = -1;
	f->decl_tok = -1;
	return f;
}

static int gvar_index(const char *name)
{
	int i;

	for (i = 0; i < ngvar; i++)
		if (!strcmp(gvars[i].name, name))
			return i;
	return -1;
}

static int map_index(const char *name)
{
	int i;

	for (i = 0; i < nmap; i++)
		if (!strcmp(maps[i].name, name))
			return i;
	return -1;
}

/* SEC string of a declaration [lo, hi) at depth 0, or NULL. */
static char *decl_sec(int lo, int hi)
{
	int i;

	for (i = lo; i < hi; i++) {
		if (tok_is(i, "__bpfemu_sec__") && tok_is(i + 1, "(") && toks[i + 2].kind == T_STR) {
			char *s = tok_str(i + 2);

			s[strlen(s) - 1] = '\0';
			return s + 1;
		}
		if (is_open(i))
			i = match(i);
	}
	return NULL;
}

/*
 * Declarator names of a declaration [lo, hi): identifiers at depth 0,
 * not keywords, followed by '[', '=', ',', ';', ':' , a SEC marker or an
 * attribute.  Returns how many were stored in @names (token indexes).
 */
static int decl_names(int lo, int hi, int *names, int max)
{
	int i, n = 0;
	bool after_eq = false;

	for (i = lo; i < hi && n < max; i++) {
		if (skip_group(i)) {
			i = match(i + 1);
			continue;
		}
		if (tok_is(i, "=")) {
			after_eq = true;
			continue;
		}
		if (tok_is(i, ","))
			after_eq = false;
		if (is_open(i)) {
			i = match(i);
			continue;
		}
		if (after_eq || toks[i].kind != T_IDENT || is_keyword(i))
			continue;
		/* A tag (`struct task_struct;`, a forward declaration) names a
		 * type, not a variable. */
		if (i > lo && (tok_is(i - 1, "struct") || tok_is(i - 1, "union") ||
			       tok_is(i - 1, "enum")))
			continue;
		if (tok_is(i + 1, "[") || tok_is(i + 1, "=") || tok_is(i + 1, ",") || tok_is(i + 1, ";") ||
		    tok_is(i + 1, "__bpfemu_sec__") || tok_is(i + 1, "__attribute__") ||
		    tok_is(i + 1, "__bpfemu_kconfig__") || i + 1 == hi)
			names[n++] = i;
	}
	return n;
}

static bool decl_has(int lo, int hi, const char *word)
{
	int i;

	for (i = lo; i < hi; i++) {
		if (tok_is(i, word))
			return true;
		if (is_open(i) && !tok_is(i, "{"))
			i = match(i);
	}
	return false;
}

static void replace(int i, const char *text)
{
	toks[i].repl = xasprintf("%s", text);
}

/* Delete tokens [lo, hi]. */
static void delete_range(int lo, int hi)
{
	int i;

	for (i = lo; i <= hi; i++)
		replace(i, "");
}

/* Remove __attribute__((weak)) groups: a static definition cannot be weak. */
static void drop_weak(int lo, int hi)
{
	int i;

	for (i = lo; i < hi; i++)
		if (tok_is(i, "__attribute__") && tok_is(i + 1, "(") && tok_is(i + 2, "(") &&
		    tok_is(i + 3, "weak") && tok_is(i + 4, ")") && tok_is(i + 5, ")"))
			delete_range(i, i + 5);
}

static void add_agg(const char *name, int lo, int hi, const char *alias)
{
	static int cap;
	struct agg *a;

	GROW(aggs, nagg, cap);
	a = &aggs[nagg++];
	a->name = xasprintf("%s", name);
	a->lo = lo;
	a->hi = hi;
	a->alias = alias ? xasprintf("%s", alias) : NULL;
}

/* Record struct/union bodies and typedefs anywhere in [lo, hi). */
static void scan_aggs(int lo, int hi, bool is_typedef)
{
	int i;

	for (i = lo; i < hi; i++) {
		if ((tok_is(i, "struct") || tok_is(i, "union"))) {
			int j = i + 1;
			char *tag = NULL;

			while (skip_group(j))
				j = match(j + 1) + 1;
			if (toks[j].kind == T_IDENT) {
				tag = xasprintf("%s %s", tok_str(i), tok_str(j));
				j++;
			}
			if (tok_is(j, "{")) {
				int e = match(j);

				if (tag)
					add_agg(tag, j + 1, e, NULL);
				if (is_typedef) {
					int names[8], n = decl_names(e + 1, hi, names, 8), k;

					for (k = 0; k < n; k++)
						add_agg(tok_str(names[k]), j + 1, e, NULL);
				}
				i = e;
			} else if (is_typedef && tag) {
				int names[8], n = decl_names(j, hi, names, 8), k;

				for (k = 0; k < n; k++)
					add_agg(tok_str(names[k]), -1, -1, tag);
			}
		}
	}
}

static const struct agg *agg_find(const char *name)
{
	int i;

	for (i = nagg - 1; i >= 0; i--) {
		if (strcmp(aggs[i].name, name))
			continue;
		if (aggs[i].alias)
			return agg_find(aggs[i].alias);
		return &aggs[i];
	}
	return NULL;
}

static bool is_zero_init(int lo, int hi)
{
	int i;

	for (i = lo; i < hi; i++)
		if (!tok_is(i, "0") && !tok_is(i, "{") && !tok_is(i, "}") && !tok_is(i, ","))
			return false;
	return true;
}

static bool is_qualifier(int i)
{
	return tok_is(i, "const") || tok_is(i, "volatile") || tok_is(i, "restrict") ||
	       tok_is(i, "__restrict") || tok_is(i, "__restrict__");
}

/*
 * First token of the declarator of @name_tok in a declaration starting at
 * @lo: just after the depth-0 ',' before it, or, for the first declarator,
 * its leading pointer stars (`int *p`, `char *const s`).  So [lo, start of
 * the first declarator) are the specifiers every declarator shares.
 */
static int declarator_start(int lo, int name_tok)
{
	int i, start = lo;

	for (i = lo; i < name_tok; i++) {
		if (skip_group(i)) {
			i = match(i + 1);
			continue;
		}
		if (is_open(i)) {
			i = match(i);	/* struct bodies, initializers, array sizes */
			continue;
		}
		if (tok_is(i, ","))
			start = i + 1;
	}
	if (start > lo)
		return start;
	for (i = name_tok; i > lo && (tok_is(i - 1, "*") || is_qualifier(i - 1)); i--)
		;
	while (i < name_tok && is_qualifier(i))
		i++;
	return i;
}

/* Append tokens [lo, hi) to @out (space separated) without storage class,
 * qualifiers, attributes or markers. */
static char *member_append(char *out, int lo, int hi)
{
	size_t len = strlen(out);
	char *p;
	int i;

	for (i = lo; i < hi; i++) {
		if (skip_group(i) && !tok_is(i, "typeof") && !tok_is(i, "__typeof__")) {
			i = match(i + 1);
			continue;
		}
		if (tok_is(i, "static") || tok_is(i, "const") || tok_is(i, "volatile") ||
		    tok_is(i, "extern") || tok_is(i, "__extension__"))
			continue;
		p = tok_str(i);
		out = realloc(out, len + strlen(p) + 2);
		if (!out)
			die("out of memory");
		if (len)
			out[len++] = ' ';
		strcpy(out + len, p);
		len += strlen(p);
		free(p);
	}
	return out;
}

/*
 * The skeleton member for a global: the shared specifiers [lo, spec_end)
 * and this global's own declarator (from @decl_lo up to its initializer,
 * the next declarator or the end), without storage class, qualifiers,
 * attributes, markers or initializer.  `long a = -1, b = -1;` gives
 * `long a` and `long b`, one member each, as bpftool writes them.
 */
static char *global_member(int lo, int hi, int spec_end, int decl_lo, int name_tok)
{
	char *out = xcalloc(1, 1);
	int i, end = hi;

	for (i = name_tok; i < hi; i++) {
		if (tok_is(i, "=") || tok_is(i, ",") || tok_is(i, ";") || tok_is(i, "__bpfemu_sec__") ||
		    tok_is(i, "__attribute__")) {
			end = i;
			break;
		}
		if (is_open(i))
			i = match(i);
	}
	out = member_append(out, lo, spec_end);
	return member_append(out, decl_lo, end);
}

static void add_global(int lo, int hi, int spec_end, int decl_lo, int name_tok, int sec)
{
	static int cap;
	struct gvar *g;

	GROW(gvars, ngvar, cap);
	g = &gvars[ngvar++];
	g->name = tok_str(name_tok);
	g->sec = sec;
	g->member = global_member(lo, hi, spec_end, decl_lo, name_tok);
}

static void add_map(int decl_lo, int decl_hi, int name_tok)
{
	static int cap;
	struct mapdef *m;
	int i;

	GROW(maps, nmap, cap);
	m = &maps[nmap++];
	memset(m, 0, sizeof(*m));
	m->name = tok_str(name_tok);
	m->body_lo = m->body_hi = -1;
	m->init_lo = m->init_hi = -1;
	for (i = decl_lo; i < name_tok; i++)
		if (tok_is(i, "{")) {
			m->body_lo = i + 1;
			m->body_hi = match(i);
			break;
		}
	if (m->body_lo < 0) {
		/* `struct my_map_type m SEC(".maps")`: the body is elsewhere */
		for (i = decl_lo; i < name_tok; i++)
			if (tok_is(i, "struct") && toks[i + 1].kind == T_IDENT) {
				char *tag = xasprintf("struct %s", tok_str(i + 1));
				const struct agg *a = agg_find(tag);

				if (a) {
					m->body_lo = a->lo;
					m->body_hi = a->hi;
				}
			}
	}
	for (i = name_tok + 1; i < decl_hi; i++) {
		if (tok_is(i, ",") || tok_is(i, ";"))
			break;
		if (tok_is(i, "=") && tok_is(i + 1, "{")) {
			m->init_lo = i + 1;
			m->init_hi = match(i + 1);
			break;
		}
		if (is_open(i))
			i = match(i);
	}
}

/* Insert `static` before a declaration unless it already has a storage class. */
static void make_static(int lo, int hi)
{
	if (decl_has(lo, hi, "static") || decl_has(lo, hi, "extern") || decl_has(lo, hi, "typedef"))
		return;
	toks[lo].before = xasprintf("static ");
	drop_weak(lo, hi);
}

/* The name of the function a declaration [lo, hi) declares, or -1. */
static int decl_func_name(int lo, int hi)
{
	int i;

	for (i = lo; i < hi; i++) {
		if (skip_group(i)) {
			i = match(i + 1);
			continue;
		}
		if (tok_is(i, "{") || tok_is(i, "=") || tok_is(i, "["))
			return -1;
		if (tok_is(i, "("))
			return -1;	/* `int (*fp)(...)`: a variable */
		if (toks[i].kind == T_IDENT && !is_keyword(i) && tok_is(i + 1, "("))
			return i;
	}
	return -1;
}

static void handle_decl(int lo, int hi, bool is_def_body, int body_lo, int body_hi)
{
	bool prog = toks[lo].prog;
	bool is_typedef = decl_has(lo, hi, "typedef");
	bool is_extern = decl_has(lo, hi, "extern");
	bool is_static = decl_has(lo, hi, "static");
	char *sec = decl_sec(lo, hi);
	int fname, names[64], n, k, spec_end;

	scan_aggs(lo, hi, is_typedef);
	if (!prog || is_typedef)
		return;

	if (decl_has(lo, hi, "__bpfemu_kconfig__")) {
		/* extern T NAME __kconfig;  ->  static T NAME = <value>; */
		n = decl_names(lo, hi, names, 1);
		for (k = lo; k < hi; k++)
			if (tok_is(k, "extern") || tok_is(k, "__bpfemu_kconfig__"))
				replace(k, "");
		toks[lo].before = xasprintf("static ");
		drop_weak(lo, hi);
		if (n && tok_is(hi, ";")) {
			char *nm = tok_str(names[0]);

			toks[hi].before = xasprintf(" = %s", !strcmp(nm, "LINUX_KERNEL_VERSION") ?
						    "((6 << 16) + (18 << 8))" : "0");
		}
		return;
	}

	fname = decl_func_name(lo, hi);
	if (fname >= 0) {
		char *name = tok_str(fname);
		struct func *f;

		if (is_extern)
			return;		/* kfuncs: bpfemu exports them */
		f = func_get(name);
		if (sec) {
			f->sec = sec;
			f->decl_tok = lo;
		}
		if (is_def_body) {
			f->body_lo = body_lo;
			f->body_hi = body_hi;
		}
		/* made static below, once we know it is defined here */
		f->mark = f->mark || is_def_body;
		return;
	}

	if (is_extern)
		return;
	n = decl_names(lo, hi, names, 64);
	if (!n)
		return;		/* a type declaration */
	if (sec && !strcmp(sec, ".maps")) {
		for (k = 0; k < n; k++)
			add_map(lo, hi, names[k]);
		make_static(lo, hi);
		return;
	}
	if (sec && !strcmp(sec, "license")) {
		license = tok_str(names[0]);
		make_static(lo, hi);
		return;
	}
	if (sec && !strcmp(sec, "version")) {
		make_static(lo, hi);
		return;
	}
	if (is_static)
		return;		/* bpftool leaves static globals out of the skeleton */
	spec_end = declarator_start(lo, names[0]);
	for (k = 0; k < n; k++) {
		int s, eq, j, dlo = k ? declarator_start(lo, names[k]) : spec_end;
		bool has_const = false, has_ptr = false;

		/* the shared specifiers, then this declarator's own tokens */
		for (j = lo; j < names[k]; j++) {
			if (j == spec_end)
				j = dlo;
			if (j >= names[k])
				break;
			if (skip_group(j)) {
				j = match(j + 1);
				continue;
			}
			if (is_open(j)) {
				j = match(j);	/* struct bodies */
				continue;
			}
			if (tok_is(j, "const"))
				has_const = true;
			if (tok_is(j, "*"))
				has_ptr = true;
		}
		eq = -1;
		for (j = names[k] + 1; j < hi; j++) {
			if (tok_is(j, ",") || tok_is(j, ";"))
				break;
			if (tok_is(j, "=")) {
				eq = j;
				break;
			}
			if (is_open(j))
				j = match(j);
		}
		if (sec && !strncmp(sec, ".rodata", 7))
			s = 2;
		else if (sec && !strncmp(sec, ".data", 5))
			s = 1;
		else if (sec && !strncmp(sec, ".bss", 4))
			s = 0;
		else if (has_const && !has_ptr)
			s = 2;
		else if (eq >= 0) {
			int e = eq + 1;

			while (e < hi && !tok_is(e, ",") && !tok_is(e, ";")) {
				if (is_open(e))
					e = match(e);
				e++;
			}
			s = is_zero_init(eq + 1, e) ? 0 : 1;
		} else {
			s = 0;
		}
		add_global(lo, hi, spec_end, dlo, names[k], s);
	}
	/* rodata: writable until load (the runtime copies it in once) */
	for (k = lo; k < hi; k++) {
		if (tok_is(k, "{") && !decl_has(lo, k, "=")) {
			k = match(k);
			continue;
		}
		if (tok_is(k, "=") || tok_is(k, "*"))
			break;
		if (tok_is(k, "const"))
			replace(k, "");
	}
	make_static(lo, hi);
}

/* Cut the file scope into declarations. */
static void parse_file(void)
{
	int i = 0;

	while (i < ntok) {
		int lo = i, seen_eq = 0;

		for (; i < ntok; i++) {
			if (tok_is(i, ";")) {
				handle_decl(lo, i, false, -1, -1);
				i++;
				break;
			}
			if (tok_is(i, "="))
				seen_eq = 1;
			if (tok_is(i, "{")) {
				int e = match(i);

				if (!seen_eq && i > lo && tok_is(i - 1, ")") && decl_func_name(lo, i) >= 0) {
					handle_decl(lo, i, true, i + 1, e);
					i = e + 1;
					break;
				}
				i = e;
				continue;
			}
			if (is_open(i))
				i = match(i);
		}
	}
}

/* Make program functions defined here static, at every declaration. */
static void staticize_funcs(void)
{
	int i = 0;

	while (i < ntok) {
		int lo = i, seen_eq = 0;

		for (; i < ntok; i++) {
			int end = -1;

			if (tok_is(i, ";"))
				end = i;
			if (tok_is(i, "="))
				seen_eq = 1;
			if (tok_is(i, "{")) {
				int e = match(i);

				if (!seen_eq && i > lo && tok_is(i - 1, ")") && decl_func_name(lo, i) >= 0)
					end = i;
				else {
					i = e;
					continue;
				}
			} else if (is_open(i)) {
				i = match(i);
				continue;
			}
			if (end < 0)
				continue;
			if (toks[lo].prog) {
				int fn = decl_func_name(lo, end);
				struct func *f = fn >= 0 ? func_find(tok_str(fn)) : NULL;

				if (f && f->mark && !decl_has(lo, end, "typedef"))
					make_static(lo, end);
			}
			if (tok_is(i, "{"))
				i = match(i);
			i++;
			break;
		}
	}
}

/* Replace markers with libbpf's native expansions. */
static void rewrite_markers(void)
{
	int i;

	/* last to first: a marker nested in another's argument (an inline
	 * `__array(values, struct { __uint(...) ... })` template) is rewritten
	 * before the outer one copies its text */
	for (i = ntok - 1; i >= 0; i--) {
		int e;
		char *name, *val;

		if (tok_is(i, "__bpfemu_sec__") && tok_is(i + 1, "(")) {
			delete_range(i, match(i + 1));
			continue;
		}
		if (!(tok_is(i, "__bpfemu_uint__") || tok_is(i, "__bpfemu_type__") ||
		      tok_is(i, "__bpfemu_array__") || tok_is(i, "__bpfemu_ulong__")) || !tok_is(i + 1, "("))
			continue;
		e = match(i + 1);
		name = tok_str(i + 2);
		val = toks_text_repl(i + 4, e);
		if (tok_is(i, "__bpfemu_uint__") && !strcmp(name, "type"))
			/* The loader keeps two words in every definition (the
			 * map and a check, emu_map_bind_def): `type` brings the
			 * second, so a definition of `type` alone (a ring
			 * sized at run time) has them. */
			replace(i, xasprintf("int (*%s)[%s]; void *__bpfemu_def_word", name, val));
		else if (tok_is(i, "__bpfemu_uint__"))
			replace(i, xasprintf("int (*%s)[%s]", name, val));
		else if (tok_is(i, "__bpfemu_type__"))
			replace(i, xasprintf("typeof(%s) *%s", val, name));
		else if (tok_is(i, "__bpfemu_array__"))
			replace(i, xasprintf("typeof(%s) *%s[]", val, name));
		else
			replace(i, xasprintf("enum { __bpfemu_ulong_%d = (%s) } %s", ulong_seq++, val, name));
		/* the replaced group's inner tokens go; nested markers are in val */
		delete_range(i + 1, e);
	}
}

/* Helper ids from the preprocessed enum bpf_func_id. */
static void read_helper_ids(void)
{
	int i;

	for (i = 0; i + 2 < ntok; i++) {
		char *s;
		long id;

		if (toks[i].kind != T_IDENT || toks[i].end - toks[i].start <= 9 ||
		    strncmp(src + toks[i].start, "BPF_FUNC_", 9) || !tok_is(i + 1, "=") ||
		    toks[i + 2].kind != T_NUM)
			continue;
		s = tok_str(i + 2);
		id = strtol(s, NULL, 0);
		if (id > 0 && id < 256 && !helper_names[id])
			helper_names[id] = xasprintf("bpf_%.*s", toks[i].end - toks[i].start - 9,
						     src + toks[i].start + 9);
	}
}

static int helper_id(int t)
{
	int id;

	if (toks[t].kind != T_IDENT || toks[t].end - toks[t].start < 5 || strncmp(src + toks[t].start, "bpf_", 4))
		return -1;
	for (id = 1; id < 256; id++)
		if (helper_names[id] && tok_is(t, helper_names[id]))
			return id;
	return -1;
}

/* ------------------------------------------------------------ reachability */

struct reach {
	bool helpers[256];
	bool *maps;
	bool secs[3];		/* .bss, .data, .rodata variables used */
};

static void reach_func(struct func *f, struct reach *r, bool *visited)
{
	int i;

	if (visited[f - funcs] || f->body_lo < 0)
		return;
	visited[f - funcs] = true;
	for (i = f->body_lo; i < f->body_hi; i++) {
		char *name;
		struct func *g;
		int id, m;

		if (toks[i].kind != T_IDENT)
			continue;
		id = helper_id(i);
		if (id > 0) {
			r->helpers[id] = true;
			continue;
		}
		if (tok_is(i - 1, ".") || tok_is(i - 1, "->"))
			continue;
		name = tok_str(i);
		m = map_index(name);
		if (m >= 0)
			r->maps[m] = true;
		m = gvar_index(name);
		if (m >= 0)
			r->secs[gvars[m].sec] = true;
		g = func_find(name);
		free(name);
		if (g)
			reach_func(g, r, visited);
	}
}

/* ------------------------------------------------------------ special fields */

struct field {
	const char *kind;
	char *path;
};

static void find_fields(int lo, int hi, const char *prefix, struct field *out, int *n, int depth)
{
	int i = lo;

	if (depth > 8)
		return;
	while (i < hi) {
		int s = i, e, k, name = -1;
		bool ptr = false;
		char *path;

		/* one member declaration: up to ';' at this level */
		for (e = s; e < hi && !tok_is(e, ";"); e++)
			if (is_open(e))
				e = match(e);
		for (k = s; k < e; k++) {
			if (tok_is(k, "*"))
				ptr = true;
			if (tok_is(k, "{") || (tok_is(k, "(") && k > s && skip_group(k - 1)) || tok_is(k, "[")) {
				k = match(k);
				continue;
			}
			if (toks[k].kind == T_IDENT && !is_keyword(k) &&
			    (k + 1 == e || tok_is(k + 1, "[") || tok_is(k + 1, ":") || tok_is(k + 1, "__attribute__")))
				name = k;
		}
		i = e + 1;
		if (ptr || s == e)
			continue;
		path = name >= 0 ? (prefix[0] ? xasprintf("%s.%s", prefix, tok_str(name)) : tok_str(name))
				 : xasprintf("%s", prefix);
		if (name >= 0 && tok_is(name + 1, "["))
			continue;	/* arrays of special fields are not supported by the kernel */
		if (tok_is(s, "struct") && tok_is(s + 1, "bpf_timer") && name >= 0) {
			out[(*n)++] = (struct field){ "BPFEMU_GEN_FIELD_TIMER", path };
		} else if (tok_is(s, "struct") && tok_is(s + 1, "bpf_spin_lock") && name >= 0) {
			out[(*n)++] = (struct field){ "BPFEMU_GEN_FIELD_SPIN_LOCK", path };
		} else if (tok_is(s, "struct") && tok_is(s + 1, "bpf_wq") && name >= 0) {
			out[(*n)++] = (struct field){ "BPFEMU_GEN_FIELD_WQ", path };
		} else if (tok_is(s, "struct") || tok_is(s, "union")) {
			int b;

			for (b = s; b < e && !tok_is(b, "{"); b++)
				;
			if (b < e) {
				find_fields(b + 1, match(b), name >= 0 ? path : prefix, out, n, depth + 1);
			} else if (toks[s + 1].kind == T_IDENT && name >= 0) {
				char *tag = xasprintf("%s %s", tok_str(s), tok_str(s + 1));
				const struct agg *a = agg_find(tag);

				if (a)
					find_fields(a->lo, a->hi, path, out, n, depth + 1);
			}
		} else if (toks[s].kind == T_IDENT && name > s) {
			char *tn = tok_str(s);
			const struct agg *a = agg_find(tn);

			if (a && a->lo >= 0)
				find_fields(a->lo, a->hi, path, out, n, depth + 1);
		}
		if (*n >= 8)
			return;
	}
}

static void value_fields(const char *value_type, struct field *out, int *n)
{
	const struct agg *a = agg_find(value_type);

	*n = 0;
	if (a && a->lo >= 0)
		find_fields(a->lo, a->hi, "", out, n, 0);
}

/* ------------------------------------------------------------ emission */

static void emit_text(FILE *f)
{
	int i, prev = 0;

	for (i = 0; i < ntok; i++) {
		fwrite(src + prev, 1, toks[i].start - prev, f);
		if (toks[i].before)
			fputs(toks[i].before, f);
		if (toks[i].repl)
			fputs(toks[i].repl, f);
		else
			fwrite(src + toks[i].start, 1, toks[i].end - toks[i].start, f);
		prev = toks[i].end;
	}
	fwrite(src + prev, 1, src_len - prev, f);
}

static const char *const sec_names[3] = { "bss", "data", "rodata" };

static bool map_has(const struct mapdef *m, const char *marker, const char *attr)
{
	int i;

	for (i = m->body_lo; i >= 0 && i < m->body_hi; i++) {
		if (tok_is(i, marker) && tok_is(i + 1, "(") && tok_is(i + 2, attr))
			return true;
		if (tok_is(i, "{"))
			i = match(i);
	}
	return false;
}

static char *map_attr_val(const struct mapdef *m, const char *marker, const char *attr)
{
	int i;

	for (i = m->body_lo; i < m->body_hi; i++)
		if (tok_is(i, marker) && tok_is(i + 1, "(") && tok_is(i + 2, attr))
			return toks_text(i + 4, match(i + 1));
	return NULL;
}

static const char *map_unknown_attr(const struct mapdef *m)
{
	static const char *const uints[] = { "type", "max_entries", "map_flags", "numa_node",
		"key_size", "value_size", "pinning", NULL };
	int i, k;

	for (i = m->body_lo; i < m->body_hi; i++) {
		const char *const *known = NULL;
		static const char *const types[] = { "key", "value", NULL };
		static const char *const arrays[] = { "values", NULL };
		static const char *const ulongs[] = { "map_extra", NULL };

		if (tok_is(i, "__bpfemu_uint__"))
			known = uints;
		else if (tok_is(i, "__bpfemu_type__"))
			known = types;
		else if (tok_is(i, "__bpfemu_array__"))
			known = arrays;
		else if (tok_is(i, "__bpfemu_ulong__"))
			known = ulongs;
		if (known) {
			for (k = 0; known[k]; k++)
				if (tok_is(i + 2, known[k]))
					break;
			if (!known[k])
				return tok_str(i + 2);
			i = match(i + 1);
			continue;
		}
		if (tok_is(i, "{") || tok_is(i, "(")) {
			i = match(i);
			continue;
		}
		/* a plain member: libbpf only knows the macro-made ones */
		if (toks[i].kind == T_IDENT && !is_keyword(i) && tok_is(i + 1, ";"))
			return tok_str(i);
	}
	return NULL;
}

static void emit_desc_attrs(FILE *f, const struct mapdef *m, const char *obj);

static void emit_map_desc(FILE *f, const struct mapdef *m, int idx)
{
	const char *unk = map_unknown_attr(m);
	const char *name = m->name;

	fprintf(f, "\t[%d] = {\n\t\t.name = \"%s\",\n\t\t.def = &%s,\n", idx, name, name);
	emit_desc_attrs(f, m, name);
	if (map_has(m, "__bpfemu_array__", "values"))
		fprintf(f, "\t\t.inner = &__bpfemu_inner_%s,\n", name);
	if (m->init_lo >= 0)
		fprintf(f, "\t\t.nr_init = sizeof(__bpfemu_init_idx_%s) / sizeof(__bpfemu_init_idx_%s[0]),\n"
			"\t\t.init_idx = __bpfemu_init_idx_%s,\n\t\t.init_name = __bpfemu_init_name_%s,\n",
			name, name, name, name);
	if (unk)
		fprintf(f, "\t\t.unknown_attr = \"%s\",\n", unk);
	fprintf(f, "\t},\n");
}

/*
 * The attribute members of a map's descriptor, each computed by the
 * compiler from @obj, an expression of the definition's type: the variable
 * itself, or for an inner-map template `(*(T *)0)` (never evaluated).
 */
static void emit_desc_attrs(FILE *f, const struct mapdef *m, const char *obj)
{
	struct field fl[8];
	int nf = 0, k;
	char *vt = map_attr_val(m, "__bpfemu_type__", "value");
	const char *name = obj;

	if (vt)
		value_fields(vt, fl, &nf);
	fprintf(f, "\t\t.present = 0");
#define P(marker, attr, bit) if (map_has(m, marker, attr)) fprintf(f, " | %s", bit)
	P("__bpfemu_uint__", "type", "BPFEMU_MA_TYPE");
	P("__bpfemu_uint__", "max_entries", "BPFEMU_MA_MAX_ENTRIES");
	P("__bpfemu_uint__", "map_flags", "BPFEMU_MA_MAP_FLAGS");
	P("__bpfemu_type__", "key", "BPFEMU_MA_KEY");
	P("__bpfemu_type__", "value", "BPFEMU_MA_VALUE");
	P("__bpfemu_uint__", "key_size", "BPFEMU_MA_KEY_SIZE");
	P("__bpfemu_uint__", "value_size", "BPFEMU_MA_VALUE_SIZE");
	P("__bpfemu_uint__", "pinning", "BPFEMU_MA_PINNING");
	P("__bpfemu_uint__", "numa_node", "BPFEMU_MA_NUMA_NODE");
	P("__bpfemu_ulong__", "map_extra", "BPFEMU_MA_MAP_EXTRA");
	P("__bpfemu_array__", "values", "BPFEMU_MA_VALUES");
#undef P
	fprintf(f, ",\n");
#define U(attr) if (map_has(m, "__bpfemu_uint__", #attr)) \
		fprintf(f, "\t\t." #attr " = sizeof(*%s." #attr ") / sizeof(int),\n", name)
	U(type);
	U(max_entries);
	U(map_flags);
	U(pinning);
	U(numa_node);
	U(key_size);
	U(value_size);
#undef U
	if (map_has(m, "__bpfemu_type__", "key"))
		fprintf(f, "\t\t.key_size = sizeof(*%s.key),\n", name);
	if (map_has(m, "__bpfemu_type__", "value"))
		fprintf(f, "\t\t.value_size = sizeof(*%s.value),\n", name);
	/* libbpf: `__array(values, ...)` makes the value a 4-byte fd / id */
	if (map_has(m, "__bpfemu_array__", "values") && !map_has(m, "__bpfemu_type__", "value") &&
	    !map_has(m, "__bpfemu_uint__", "value_size"))
		fprintf(f, "\t\t.value_size = 4,\n");
	if (map_has(m, "__bpfemu_ulong__", "map_extra"))
		fprintf(f, "\t\t.map_extra = (__UINT64_TYPE__)(%s),\n",
			map_attr_val(m, "__bpfemu_ulong__", "map_extra"));
	fprintf(f, "\t\t.nr_fields = %d,\n", nf);
	for (k = 0; k < nf; k++) {
		const char *szt = !strcmp(fl[k].kind, "BPFEMU_GEN_FIELD_TIMER") ? "struct bpf_timer" :
				  !strcmp(fl[k].kind, "BPFEMU_GEN_FIELD_WQ") ? "struct bpf_wq" : "struct bpf_spin_lock";

		fprintf(f, "\t\t.fields[%d] = { %s, __builtin_offsetof(%s, %s), sizeof(%s) },\n",
			k, fl[k].kind, vt, fl[k].path, szt);
	}
}

/*
 * The inner-map template of `__array(values, T)`: T's definition tokens, as
 * a map definition of its own (`struct inner`, a typedef, or an inline
 * `struct { ... }`).  False when T's body cannot be found.
 */
static bool inner_def(const struct mapdef *m, struct mapdef *im)
{
	int i, j;

	for (i = m->body_lo; i >= 0 && i < m->body_hi; i++) {
		if (tok_is(i, "{")) {
			i = match(i);
			continue;
		}
		if (!(tok_is(i, "__bpfemu_array__") && tok_is(i + 1, "(") && tok_is(i + 2, "values") &&
		      tok_is(i + 3, ",")))
			continue;
		memset(im, 0, sizeof(*im));
		im->name = xasprintf("%s.inner", m->name);
		im->init_lo = im->init_hi = -1;
		j = i + 4;
		if (tok_is(j, "struct") && tok_is(j + 1, "{")) {
			im->body_lo = j + 2;
			im->body_hi = match(j + 1);
			return true;
		}
		if (tok_is(j, "struct") && toks[j + 1].kind == T_IDENT && tok_is(j + 2, "{")) {
			im->body_lo = j + 3;
			im->body_hi = match(j + 2);
			return true;
		}
		if (toks[j].kind == T_IDENT) {
			const struct agg *a = tok_is(j, "struct") ?
				agg_find(xasprintf("struct %s", tok_str(j + 1))) : agg_find(tok_str(j));

			if (a && a->lo >= 0) {
				im->body_lo = a->lo;
				im->body_hi = a->hi;
				return true;
			}
		}
		return false;
	}
	return false;
}

/*
 * Initial slots: `.values = { [N] = &map, ... }`, also positional entries
 * (`{ &a, &b }`, or after a designator, as C counts them).  Indexes are
 * emitted as expressions for the compiler: `(N) + k`.
 */
static void init_slots(const struct mapdef *m, char **idx, char **nm)
{
	int i, lo = -1, hi = -1, k = 0;
	char *base = "0";

	*idx = xcalloc(1, 1);
	*nm = xcalloc(1, 1);
	for (i = m->init_lo + 1; i < m->init_hi; i++) {
		if (tok_is(i, "values") && tok_is(i + 1, "=") && tok_is(i + 2, "{")) {
			lo = i + 3;
			hi = match(i + 2);
			break;
		}
		if (is_open(i))
			i = match(i);
	}
	for (i = lo; lo >= 0 && i < hi; i++) {
		int e;

		/* one entry: up to the next top-level ',' */
		for (e = i; e < hi && !tok_is(e, ","); e++)
			if (is_open(e))
				e = match(e);
		if (tok_is(i, "[") && tok_is(match(i) + 1, "=")) {
			base = toks_text(i + 1, match(i));
			k = 0;
			i = match(i) + 2;
		}
		if (tok_is(i, "&") && i + 1 < e && toks[i + 1].kind == T_IDENT) {
			*idx = xasprintf("%s%s(%s) + %d", *idx, (*idx)[0] ? ", " : "", base, k);
			*nm = xasprintf("%s%s\"%s\"", *nm, (*nm)[0] ? ", " : "", tok_str(i + 1));
		}
		k++;
		i = e;
	}
}

/* Inner map templates and initial slots of map-in-map definitions. */
static void emit_map_extras(FILE *f, const struct mapdef *m)
{
	const char *name = m->name;
	struct mapdef im;

	if (map_has(m, "__bpfemu_array__", "values")) {
		fprintf(f, "typedef typeof(*%s.values[0]) __bpfemu_inner_t_%s;\n", name, name);
		if (inner_def(m, &im)) {
			/* every attribute the template has, its special fields too */
			fprintf(f, "static const struct bpfemu_map_desc __bpfemu_inner_%s = {\n"
				"\t\t.name = \"%s\",\n", name, im.name);
			emit_desc_attrs(f, &im, xasprintf("(*(__bpfemu_inner_t_%s *)0)", name));
			fprintf(f, "};\n");
		} else {
			fprintf(f, "static const struct bpfemu_map_desc __bpfemu_inner_%s = {\n"
				"\t.name = \"%s.inner\",\n"
				"\t.present = BPFEMU_MA_TYPE | BPFEMU_MA_MAX_ENTRIES | BPFEMU_MA_KEY_SIZE | BPFEMU_MA_VALUE_SIZE,\n"
				"\t.type = sizeof(*((__bpfemu_inner_t_%s *)0)->type) / sizeof(int),\n"
				"\t.max_entries = sizeof(*((__bpfemu_inner_t_%s *)0)->max_entries) / sizeof(int),\n"
				"\t.key_size = sizeof(*((__bpfemu_inner_t_%s *)0)->key),\n"
				"\t.value_size = sizeof(*((__bpfemu_inner_t_%s *)0)->value),\n};\n",
				name, name, name, name, name, name);
		}
	}
	if (m->init_lo >= 0) {
		char *idx, *nm;

		init_slots(m, &idx, &nm);
		fprintf(f, "static const __UINT32_TYPE__ __bpfemu_init_idx_%s[] = { %s };\n", name, idx);
		fprintf(f, "static const char *const __bpfemu_init_name_%s[] = { %s };\n", name, nm);
	}
}

static void emit_c(FILE *f)
{
	int i, s, k;
	bool *visited = xcalloc(nfunc, sizeof(bool));

	/*
	 * Warnings that ordinary BPF C legitimately triggers when compiled as
	 * C: programs and callbacks have fixed signatures whose arguments
	 * they often ignore.  A pragma (which clang honours too) rather than
	 * a -Wno- option: a target's own options come before the flags it
	 * inherits, so a later -Wextra would switch the warning back on.
	 */
	fprintf(f, "#pragma GCC diagnostic ignored \"-Wunused-parameter\"\n");
	/*
	 * The text is preprocessed, but clang leaves the arguments of
	 * `#pragma clang attribute push(__attribute__((preserve_access_index)),
	 * apply_to = record)` unexpanded: <bpf/bpf_helpers.h>'s no-op
	 * stand-in for the attribute is defined again for them.
	 */
	fprintf(f, "#if defined(__clang__) && !defined(preserve_access_index)\n"
		   "#define preserve_access_index annotate(\"bpfemu: preserve_access_index\")\n"
		   "#endif\n");
	emit_text(f);
	fprintf(f, "\n# 1 \"<bpfemu-gen %s>\"\n", objname);
	fprintf(f, "#include <bpfemu/gen.h>\n\n");

	/* globals */
	for (s = 0; s < 3; s++) {
		int nv = 0;

		for (i = 0; i < ngvar; i++)
			nv += gvars[i].sec == s;
		if (!nv)
			continue;
		fprintf(f, "struct %s__%s {\n", objname, sec_names[s]);
		for (i = 0; i < ngvar; i++)
			if (gvars[i].sec == s)
				fprintf(f, "\t%s;\n", gvars[i].member);
		fprintf(f, "};\n");
		for (i = 0; i < ngvar; i++)
			if (gvars[i].sec == s)
				fprintf(f, "_Static_assert(sizeof(((struct %s__%s *)0)->%s) == sizeof(%s), "
					"\"bpfemu-gen: skeleton type of '%s' does not match\");\n",
					objname, sec_names[s], gvars[i].name, gvars[i].name, gvars[i].name);
		fprintf(f, "static const struct bpfemu_var_desc __bpfemu_vars_%s[] = {\n", sec_names[s]);
		for (i = 0; i < ngvar; i++)
			if (gvars[i].sec == s)
				fprintf(f, "\t{ \"%s\", (void *)&%s, __builtin_offsetof(struct %s__%s, %s), sizeof(%s) },\n",
					gvars[i].name, gvars[i].name, objname, sec_names[s], gvars[i].name,
					gvars[i].name);
		fprintf(f, "};\n");
		fprintf(f, "static unsigned char __bpfemu_init_%s[sizeof(struct %s__%s)];\n",
			sec_names[s], objname, sec_names[s]);
	}

	/* maps */
	for (i = 0; i < nmap; i++)
		emit_map_extras(f, &maps[i]);
	if (nmap) {
		fprintf(f, "static const struct bpfemu_map_desc __bpfemu_maps[] = {\n");
		for (i = 0; i < nmap; i++)
			emit_map_desc(f, &maps[i], i);
		fprintf(f, "};\n");
	}

	/* programs */
	for (i = 0; i < nfunc; i++) {
		struct reach r = { .maps = xcalloc(nmap + 1, sizeof(bool)) };
		int id, m, first = 1;

		if (!funcs[i].sec)
			continue;
		if (funcs[i].body_lo < 0)
			die("program '%s' (SEC(\"%s\")) is declared but never defined", funcs[i].name, funcs[i].sec);
		memset(visited, 0, nfunc * sizeof(bool));
		reach_func(&funcs[i], &r, visited);
		fprintf(f, "static const int __bpfemu_helpers_%s[] = { ", funcs[i].name);
		for (id = 1; id < 256; id++)
			if (r.helpers[id]) {
				fprintf(f, "%s%d", first ? "" : ", ", id);
				first = 0;
			}
		fprintf(f, "%s };\n", first ? "0" : "");
		first = 1;
		fprintf(f, "static const __UINT32_TYPE__ __bpfemu_mapidx_%s[] = { ", funcs[i].name);
		for (m = 0; m < nmap; m++)
			if (r.maps[m]) {
				fprintf(f, "%s%d", first ? "" : ", ", m);
				first = 0;
			}
		fprintf(f, "%s };\n", first ? "0" : "");
		funcs[i].mark = !first;	/* reused: has maps */
		k = 0;
		for (id = 1; id < 256; id++)
			k += r.helpers[id];
		funcs[i].decl_tok = k;	/* reused: number of helpers */
		funcs[i].nr_global_maps = r.secs[0] + r.secs[1] + r.secs[2];
		free(r.maps);
	}
	k = 0;
	for (i = 0; i < nfunc; i++)
		k += funcs[i].sec != NULL;
	if (k) {
		fprintf(f, "static const struct bpfemu_prog_desc __bpfemu_progs[] = {\n");
		for (i = 0; i < nfunc; i++) {
			if (!funcs[i].sec)
				continue;
			fprintf(f, "\t{ \"%s\", \"%s\", (void *)%s, __bpfemu_helpers_%s, %d, "
				"__bpfemu_mapidx_%s, %s, %d },\n",
				funcs[i].name, funcs[i].sec, funcs[i].name, funcs[i].name, funcs[i].decl_tok,
				funcs[i].name,
				funcs[i].mark ? xasprintf("sizeof(__bpfemu_mapidx_%s) / sizeof(__UINT32_TYPE__)",
							  funcs[i].name) : "0",
				funcs[i].nr_global_maps);
		}
		fprintf(f, "};\n");
	}

	/* the object */
	fprintf(f, "__attribute__((visibility(\"default\"))) struct bpfemu_obj_desc %s__bpfemu_desc = {\n",
		objname);
	fprintf(f, "\t.abi = BPFEMU_GEN_ABI,\n\t.name = \"%s\",\n", objname);
	if (license)
		fprintf(f, "\t.license = %s,\n", license);
	if (nmap)
		fprintf(f, "\t.maps = __bpfemu_maps,\n\t.nr_maps = %d,\n", nmap);
	if (k)
		fprintf(f, "\t.progs = __bpfemu_progs,\n\t.nr_progs = %d,\n", k);
	for (s = 0; s < 3; s++) {
		int nv = 0;

		for (i = 0; i < ngvar; i++)
			nv += gvars[i].sec == s;
		/* Designated members: clang's -Wmissing-field-initializers
		 * flags a positional list that stops early. */
		fprintf(f, "\t.secs[%d] = { .name = \".%s\"", s, sec_names[s]);
		if (nv)
			fprintf(f, ", .size = sizeof(struct %s__%s), .vars = __bpfemu_vars_%s, "
				".nr_vars = %d, .init = __bpfemu_init_%s",
				objname, sec_names[s], sec_names[s], nv, sec_names[s]);
		fprintf(f, " },\n");
	}
	fprintf(f, "};\n\n");
	/* Before main(): snapshot initial values, then register. */
	fprintf(f, "__attribute__((constructor)) static void __bpfemu_register(void)\n{\n");
	for (s = 0; s < 3; s++)
		for (i = 0; i < ngvar; i++)
			if (gvars[i].sec == s)
				fprintf(f, "\t__builtin_memcpy(__bpfemu_init_%s + __builtin_offsetof(struct %s__%s, %s), "
					"(const void *)&%s, sizeof(%s));\n",
					sec_names[s], objname, sec_names[s], gvars[i].name, gvars[i].name,
					gvars[i].name);
	fprintf(f, "\tbpfemu_object_register(&%s__bpfemu_desc);\n}\n", objname);
	free(visited);
}

static void emit_skel(FILE *f)
{
	const char *o = objname;
	int i, s, nprog = 0;

	for (i = 0; i < nfunc; i++)
		nprog += funcs[i].sec != NULL;
	fprintf(f, "/* SPDX-License-Identifier: MIT */\n"
		"/* Generated by bpfemu-gen from object '%s': bpftool's skeleton API, native. */\n"
		"#ifndef __%s_SKEL_H__\n#define __%s_SKEL_H__\n\n"
		"#include <errno.h>\n#include <stdlib.h>\n#include <bpf/libbpf.h>\n#include <bpfemu/gen.h>\n\n",
		o, o, o);
	fprintf(f, "extern struct bpfemu_obj_desc %s__bpfemu_desc;\n\n", o);
	fprintf(f, "struct %s {\n\tstruct bpf_object_skeleton *skeleton;\n\tstruct bpf_object *obj;\n", o);
	fprintf(f, "\tstruct {\n");
	for (i = 0; i < nmap; i++)
		fprintf(f, "\t\tstruct bpf_map *%s;\n", maps[i].name);
	fprintf(f, "\t} maps;\n\tstruct {\n");
	for (i = 0; i < nfunc; i++)
		if (funcs[i].sec)
			fprintf(f, "\t\tstruct bpf_program *%s;\n", funcs[i].name);
	fprintf(f, "\t} progs;\n\tstruct {\n");
	for (i = 0; i < nfunc; i++)
		if (funcs[i].sec)
			fprintf(f, "\t\tstruct bpf_link *%s;\n", funcs[i].name);
	fprintf(f, "\t} links;\n");
	for (s = 0; s < 3; s++) {
		int nv = 0;

		for (i = 0; i < ngvar; i++)
			nv += gvars[i].sec == s;
		if (!nv)
			continue;
		fprintf(f, "\tstruct %s__%s {\n", o, sec_names[s]);
		for (i = 0; i < ngvar; i++)
			if (gvars[i].sec == s)
				fprintf(f, "\t\t%s;\n", gvars[i].member);
		fprintf(f, "\t} *%s;\n", sec_names[s]);
	}
	fprintf(f, "};\n\n");

	fprintf(f, "static inline void\n%s__destroy(struct %s *obj)\n{\n"
		"\tif (!obj)\n\t\treturn;\n\tif (obj->skeleton)\n"
		"\t\tbpf_object__destroy_skeleton(obj->skeleton);\n\tfree(obj);\n}\n\n", o, o);
	fprintf(f, "static inline int\n%s__create_skeleton(struct %s *obj)\n{\n"
		"\tstruct bpf_object_skeleton *s;\n\tint err;\n\n"
		"\ts = (struct bpf_object_skeleton *)calloc(1, sizeof(*s));\n"
		"\tif (!s) {\n\t\terr = -ENOMEM;\n\t\tgoto err;\n\t}\n"
		"\ts->sz = sizeof(*s);\n\ts->name = \"%s\";\n\ts->obj = &obj->obj;\n"
		"\ts->data = &%s__bpfemu_desc;\n\ts->data_sz = sizeof(%s__bpfemu_desc);\n\n",
		o, o, o, o, o);
	fprintf(f, "\ts->map_cnt = %d;\n\ts->map_skel_sz = sizeof(*s->maps);\n", nmap + 3);
	fprintf(f, "\ts->maps = (struct bpf_map_skeleton *)calloc(s->map_cnt, s->map_skel_sz);\n"
		"\tif (!s->maps) {\n\t\terr = -ENOMEM;\n\t\tgoto err;\n\t}\n");
	for (i = 0; i < nmap; i++)
		fprintf(f, "\ts->maps[%d].name = \"%s\";\n\ts->maps[%d].map = &obj->maps.%s;\n",
			i, maps[i].name, i, maps[i].name);
	for (s = 0; s < 3; s++) {
		int nv = 0;

		for (i = 0; i < ngvar; i++)
			nv += gvars[i].sec == s;
		fprintf(f, "\ts->maps[%d].name = \".%s\";\n", nmap + s, sec_names[s]);
		if (nv)
			fprintf(f, "\ts->maps[%d].mmaped = (void **)&obj->%s;\n", nmap + s, sec_names[s]);
	}
	fprintf(f, "\n\ts->prog_cnt = %d;\n\ts->prog_skel_sz = sizeof(*s->progs);\n", nprog);
	fprintf(f, "\ts->progs = (struct bpf_prog_skeleton *)calloc(s->prog_cnt ? s->prog_cnt : 1, s->prog_skel_sz);\n"
		"\tif (!s->progs) {\n\t\terr = -ENOMEM;\n\t\tgoto err;\n\t}\n");
	for (i = 0, s = 0; i < nfunc; i++)
		if (funcs[i].sec) {
			fprintf(f, "\ts->progs[%d].name = \"%s\";\n\ts->progs[%d].prog = &obj->progs.%s;\n"
				"\ts->progs[%d].link = &obj->links.%s;\n",
				s, funcs[i].name, s, funcs[i].name, s, funcs[i].name);
			s++;
		}
	fprintf(f, "\n\tobj->skeleton = s;\n\treturn 0;\nerr:\n\tbpf_object__destroy_skeleton(s);\n"
		"\treturn err;\n}\n\n");
	fprintf(f, "static inline struct %s *\n%s__open_opts(const struct bpf_object_open_opts *opts)\n{\n"
		"\tstruct %s *obj;\n\tint err;\n\n"
		"\tobj = (struct %s *)calloc(1, sizeof(*obj));\n\tif (!obj) {\n\t\terrno = ENOMEM;\n"
		"\t\treturn NULL;\n\t}\n\terr = %s__create_skeleton(obj);\n\tif (err)\n\t\tgoto err_out;\n"
		"\terr = bpf_object__open_skeleton(obj->skeleton, opts);\n\tif (err)\n\t\tgoto err_out;\n"
		"\treturn obj;\nerr_out:\n\t%s__destroy(obj);\n\terrno = -err;\n\treturn NULL;\n}\n\n",
		o, o, o, o, o, o);
	fprintf(f, "static inline struct %s *\n%s__open(void)\n{\n\treturn %s__open_opts(NULL);\n}\n\n", o, o, o);
	fprintf(f, "static inline int\n%s__load(struct %s *obj)\n{\n"
		"\treturn bpf_object__load_skeleton(obj->skeleton);\n}\n\n", o, o);
	fprintf(f, "static inline struct %s *\n%s__open_and_load(void)\n{\n\tstruct %s *obj;\n\tint err;\n\n"
		"\tobj = %s__open();\n\tif (!obj)\n\t\treturn NULL;\n\terr = %s__load(obj);\n"
		"\tif (err) {\n\t\t%s__destroy(obj);\n\t\terrno = -err;\n\t\treturn NULL;\n\t}\n"
		"\treturn obj;\n}\n\n", o, o, o, o, o, o);
	fprintf(f, "static inline int\n%s__attach(struct %s *obj)\n{\n"
		"\treturn bpf_object__attach_skeleton(obj->skeleton);\n}\n\n", o, o);
	fprintf(f, "static inline void\n%s__detach(struct %s *obj)\n{\n"
		"\tbpf_object__detach_skeleton(obj->skeleton);\n}\n\n", o, o);
	fprintf(f, "#endif /* __%s_SKEL_H__ */\n", o);
}

static char *read_file(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *buf;
	long n;

	if (!f)
		die("cannot open %s: %s", path, strerror(errno));
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	fseek(f, 0, SEEK_SET);
	buf = xcalloc(1, n + 1);
	if (fread(buf, 1, n, f) != (size_t)n)
		die("cannot read %s", path);
	fclose(f);
	*len = n;
	return buf;
}

static void write_file(const char *path, void (*emit)(FILE *))
{
	char *tmp = xasprintf("%s.tmp", path);
	FILE *f = fopen(tmp, "w");

	if (!f)
		die("cannot write %s: %s", tmp, strerror(errno));
	emit(f);
	if (fclose(f) || rename(tmp, path))
		die("cannot write %s: %s", path, strerror(errno));
}

static bool valid_ident(const char *s)
{
	if (!*s || isdigit((unsigned char)*s))
		return false;
	for (; *s; s++)
		if (!isalnum((unsigned char)*s) && *s != '_')
			return false;
	return true;
}

/*
 * A short-lived build tool, like a compiler, leaves freeing to exit().  In
 * sanitizer builds of the project it runs under ASan during the build: tell
 * LeakSanitizer so here, rather than turning leak detection off for the
 * whole build, so the library and its tests keep it.
 */
#if defined(__SANITIZE_ADDRESS__)
#define GEN_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define GEN_ASAN 1
#endif
#endif
#ifdef GEN_ASAN
#include <sanitizer/lsan_interface.h>
#define gen_no_leak_check() __lsan_disable()
#else
#define gen_no_leak_check() do { } while (0)
#endif

/* Without -DBPFEMU_SCAN, SEC() is already expanded and every program and
 * map would be silently missed. */
static bool has_sec_marker(void)
{
	int i;

	for (i = 0; i < ntok; i++)
		if (tok_is(i, "__bpfemu_sec__"))
			return true;
	return false;
}

int main(int argc, char **argv)
{
	gen_no_leak_check();
	if (argc != 6) {
		fprintf(stderr, "usage: bpfemu-gen NAME PREPROCESSED.i OUT.bpfemu.c OUT.skel.h INCLUDE_DIR\n"
			"  PREPROCESSED.i: $CC -E -DBPFEMU_SCAN -IINCLUDE_DIR [flags] NAME.bpf.c\n"
			"  INCLUDE_DIR: bpfemu's include directory (`pkg-config --variable=includedir bpfemu`)\n"
			"  then compile OUT.bpfemu.c with -IINCLUDE_DIR and link it into the test;\n"
			"  OUT.skel.h is the skeleton (docs/getting-started.md, plain Makefile)\n");
		return 2;
	}
	objname = argv[1];
	if (!valid_ident(objname))
		die("object name must be a C identifier");
	incdir = argv[5];
	incdir_real = realpath(incdir, NULL);
	src = read_file(argv[2], &src_len);
	tokenize();
	if (!incdir_seen)
		die("%s includes no header from INCLUDE_DIR %s%s: preprocess with "
		    "-DBPFEMU_SCAN -I<bpfemu's include directory> (the one holding "
		    "bpf/bpf_helpers.h and bpfemu.h; `pkg-config --variable=includedir bpfemu`) "
		    "and pass that directory as INCLUDE_DIR",
		    argv[2], incdir, incdir_real ? "" : " (no such directory)");
	if (!has_sec_marker())
		die("%s has no SEC(): preprocess with -DBPFEMU_SCAN, which makes "
		    "SEC(), __uint() and __type() markers bpfemu-gen can see", argv[2]);
	read_helper_ids();
	parse_file();
	staticize_funcs();
	rewrite_markers();
	write_file(argv[3], emit_c);
	write_file(argv[4], emit_skel);
	return 0;
}
