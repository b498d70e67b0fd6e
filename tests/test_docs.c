// SPDX-License-Identifier: MIT
/*
 * The documentation keeps up with the code:
 *   - every ```c block in the docs pages is either compiled and run by
 *     the test suite (its first line is a docs-test comment naming the
 *     file, see tests/docs/extract.sh) or marked as an excerpt (a
 *     docs-fragment comment): no C in the docs that nothing checks;
 *   - docs/api.md names every BPFEMU_API function of the bpfemu/ headers
 *     (the helper exports of bpfemu/helpers.h are listed by the helper
 *     family pages instead).
 * The sources are found from this file's path, as the build gives it.
 */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#define MAX_FILE (1 << 20)

static char root[4096];

static int find_root(void **state)
{
	const char *slash;

	(void)state;
	/* __FILE__ is .../tests/test_docs.c */
	slash = strrchr(__FILE__, '/');
	if (!slash || (size_t)(slash - __FILE__) >= sizeof(root))
		return -1;
	memcpy(root, __FILE__, (size_t)(slash - __FILE__));
	root[slash - __FILE__] = 0;
	slash = strrchr(root, '/');
	if (slash)
		root[slash - root] = 0;
	else
		strcpy(root, ".");
	return 0;
}

/* Read a whole file into a NUL-terminated buffer (caller frees), or NULL. */
static char *slurp(const char *path)
{
	FILE *f = fopen(path, "r");
	char *buf;
	size_t n;

	if (!f)
		return NULL;
	buf = malloc(MAX_FILE + 1);
	if (!buf) {
		fclose(f);
		return NULL;
	}
	n = fread(buf, 1, MAX_FILE, f);
	buf[n] = 0;
	fclose(f);
	return buf;
}

static bool ends_with(const char *s, const char *suffix)
{
	size_t a = strlen(s), b = strlen(suffix);

	return a >= b && !strcmp(s + a - b, suffix);
}

/*
 * Pages whose blocks must all be marked.  The other pages are reported
 * (print_error) but do not fail the test until their owners have marked
 * their blocks; add each page here once it has.
 */
static bool enforced(const char *page)
{
	static const char *const pages[] = {
		"api.md", "getting-started.md", "index.md", "maps.md", "native-compile.md",
		"porting.md", "testing.md", "time.md",
	};
	size_t i;

	for (i = 0; i < sizeof(pages) / sizeof(pages[0]); i++)
		if (!strcmp(page, pages[i]))
			return true;
	return false;
}

/* Number of ```c blocks in @text whose first line carries no marker. */
static int unmarked_blocks(const char *text, const char *page)
{
	const char *p = text;
	int bad = 0, line = 1;

	while (*p) {
		const char *eol = strchr(p, '\n');
		size_t len = eol ? (size_t)(eol - p) : strlen(p);

		if (len >= 4 && !strncmp(p, "```c", 4) &&
		    (len == 4 || isspace((unsigned char)p[4]))) {
			const char *first = eol ? eol + 1 : p + len;

			if (strncmp(first, "/* docs-test: ", 14) &&
			    strncmp(first, "/* docs-fragment */", 19)) {
				print_error("%s:%d: ```c block without a docs-test or "
					    "docs-fragment marker\n", page, line + 1);
				bad++;
			}
		}
		if (!eol)
			break;
		p = eol + 1;
		line++;
	}
	return bad;
}

static void test_every_c_block_in_the_docs_is_compiled_or_marked_as_excerpt(void **state)
{
	char dir[4200], path[4600];
	struct dirent *de;
	int bad = 0, warned = 0, pages = 0;
	DIR *d;

	(void)state;
	snprintf(dir, sizeof(dir), "%s/docs", root);
	d = opendir(dir);
	assert_non_null(d);
	while ((de = readdir(d))) {
		char *text;

		if (!ends_with(de->d_name, ".md"))
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
		text = slurp(path);
		assert_non_null(text);
		if (enforced(de->d_name))
			bad += unmarked_blocks(text, path);
		else
			warned += unmarked_blocks(text, path);
		pages++;
		free(text);
	}
	closedir(d);
	if (warned)
		print_message("%d unmarked block(s) in pages not enforced yet (above)\n", warned);
	assert_true(pages > 0);
	assert_int_equal(bad, 0);
}

static void test_api_reference_names_every_control_api_function(void **state)
{
	char dir[4200], path[4600], *api;
	struct dirent *de;
	int missing = 0, found = 0;
	DIR *d;

	(void)state;
	snprintf(path, sizeof(path), "%s/docs/api.md", root);
	api = slurp(path);
	assert_non_null(api);

	snprintf(dir, sizeof(dir), "%s/include/bpfemu", root);
	d = opendir(dir);
	assert_non_null(d);
	while ((de = readdir(d))) {
		char *text, *p;

		if (!ends_with(de->d_name, ".h") || !strcmp(de->d_name, "helpers.h"))
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
		text = slurp(path);
		assert_non_null(text);
		/* Each declaration "BPFEMU_API <type> bpfemu_name(" */
		for (p = strstr(text, "BPFEMU_API "); p; p = strstr(p + 1, "BPFEMU_API ")) {
			char *end = strchr(p, '('), *name, word[128], tick[140];
			size_t n;

			/* the identifier just before the first '(' */
			if (!end || memchr(p, ';', (size_t)(end - p)))
				continue;
			name = end;
			while (name > p && (isalnum((unsigned char)name[-1]) || name[-1] == '_'))
				name--;
			if (strncmp(name, "bpfemu_", 7))
				continue;
			n = (size_t)(end - name);
			if (n >= sizeof(word))
				continue;
			memcpy(word, name, n);
			word[n] = 0;
			/* named in code style: `bpfemu_x(` or `bpfemu_x` */
			snprintf(tick, sizeof(tick), "`%s", word);
			found++;
			if (!strstr(api, tick)) {
				print_error("docs/api.md does not describe %s (include/bpfemu/%s)\n",
					    word, de->d_name);
				missing++;
			}
		}
		free(text);
	}
	closedir(d);
	free(api);
	assert_true(found > 30);
	assert_int_equal(missing, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_every_c_block_in_the_docs_is_compiled_or_marked_as_excerpt),
		cmocka_unit_test(test_api_reference_names_every_control_api_function),
	};

	return cmocka_run_group_tests(tests, find_root, NULL);
}
