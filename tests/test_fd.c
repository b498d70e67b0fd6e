// SPDX-License-Identifier: MIT
/* User fds as pipe ends: close detection, dup, identity, readiness (fd.h). */
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include "test_map_util.h"

static void test_close_drops_the_user_reference(void **state)
{
	int fd = create(BPF_MAP_TYPE_HASH, 4, 8, 4, 0);
	struct emu_map *m = map_of(fd);

	(void)state;
	emu_map_get(m);
	assert_int_equal(atomic_load(&m->usercnt), 1);
	close(fd);
	emu_fd_reap();
	assert_int_equal(atomic_load(&m->usercnt), 0);
	assert_int_equal(atomic_load(&m->refcnt), 1);
	emu_map_put(m);
}

static void test_dup_adds_no_reference_and_keeps_the_file_open(void **state)
{
	int fd = create(BPF_MAP_TYPE_HASH, 4, 8, 4, 0);
	struct emu_map *m = map_of(fd);
	int d = dup(fd);
	uint32_t k = 1;
	uint64_t v = 2;

	(void)state;
	assert_int_equal(atomic_load(&m->usercnt), 1);
	close(fd);
	/* the dup still names the map */
	assert_int_equal(bpf_map_update_elem(d, &k, &v, 0), 0);
	assert_int_equal(atomic_load(&m->usercnt), 1);
	close(d);
	emu_fd_reap();
	assert_int_equal(emu_fd_count(), 0);
}

static void test_forked_copy_keeps_the_file_open_until_the_child_exits(void **state)
{
	int fd = create(BPF_MAP_TYPE_HASH, 4, 8, 4, 0);
	struct emu_map *m = map_of(fd);
	int pipefd[2], status;
	char c;
	pid_t pid;

	(void)state;
	emu_map_get(m);
	assert_int_equal(pipe(pipefd), 0);
	pid = fork();
	if (pid == 0) {
		/* the child holds its copy until the parent says go */
		close(pipefd[1]);
		if (read(pipefd[0], &c, 1) < 0)
			_exit(1);
		_exit(0);
	}
	close(pipefd[0]);
	close(fd);
	emu_fd_reap();
	assert_int_equal(atomic_load(&m->usercnt), 1);
	assert_int_equal(write(pipefd[1], "x", 1), 1);
	close(pipefd[1]);
	waitpid(pid, &status, 0);
	emu_fd_reap();
	assert_int_equal(atomic_load(&m->usercnt), 0);
	emu_map_put(m);
}

static void test_closed_number_is_ebadf_and_reused_number_is_einval(void **state)
{
	int fd = create(BPF_MAP_TYPE_HASH, 4, 8, 4, 0);
	uint32_t k = 0;
	uint64_t v;
	int other;

	(void)state;
	close(fd);
	assert_int_equal(bpf_map_lookup_elem(fd, &k, &v), -EBADF);
	assert_int_equal(errno, EBADF);
	other = open("/dev/null", O_RDONLY);
	assert_int_equal(other, fd);	/* the lowest number again */
	assert_int_equal(bpf_map_lookup_elem(fd, &k, &v), -EINVAL);
	assert_int_equal(bpf_map_lookup_elem(-1, &k, &v), -EBADF);
	close(other);
}

static void test_fd_of_another_kind_is_einval(void **state)
{
	static int dummy;
	static const struct emu_obj_ref_ops noop = { 0 };
	int err = 0, fd;

	(void)state;
	(void)noop;
	fd = create(BPF_MAP_TYPE_HASH, 4, 8, 4, 0);
	assert_null(emu_fd_get(fd, EMU_OBJ_PROG, &err));
	assert_int_equal(err, -EINVAL);
	assert_int_equal(emu_fd_kind(fd), EMU_OBJ_MAP);
	assert_int_equal(emu_fd_new(EMU_OBJ_MAP, NULL, 0), -EINVAL);
	(void)dummy;
	close(fd);
}

static void test_fds_are_close_on_exec(void **state)
{
	int fd = create(BPF_MAP_TYPE_HASH, 4, 8, 4, 0);

	(void)state;
	assert_true(fcntl(fd, F_GETFD) & FD_CLOEXEC);
	close(fd);
}

static int poll_now(int fd, short events)
{
	struct pollfd p = { .fd = fd, .events = events };

	assert_true(poll(&p, 1, 0) >= 0);
	return p.revents & events;
}

static void test_pollin_object_becomes_readable_and_back(void **state)
{
	int fd = create(BPF_MAP_TYPE_HASH, 4, 8, 4, 0);
	struct emu_map *m = map_of(fd);
	int rfd, rfd2;

	(void)state;
	rfd = emu_fd_new(EMU_OBJ_MAP, m, EMU_FD_POLLIN);
	assert_true(rfd >= 0);
	assert_int_equal(poll_now(rfd, POLLIN), 0);
	emu_fd_set_ready(m, POLLIN);
	assert_int_equal(poll_now(rfd, POLLIN), POLLIN);
	emu_fd_set_ready(m, POLLIN);		/* no change: cheap */
	/* a later fd of the object starts at its level */
	rfd2 = emu_fd_new(EMU_OBJ_MAP, m, EMU_FD_POLLIN);
	assert_int_equal(poll_now(rfd2, POLLIN), POLLIN);
	emu_fd_set_ready(m, 0);
	assert_int_equal(poll_now(rfd, POLLIN), 0);
	assert_int_equal(poll_now(rfd2, POLLIN), 0);
	close(rfd);
	close(rfd2);
	close(fd);
	emu_fd_reap();
	assert_int_equal(emu_fd_count(), 0);
}

static void test_pollout_object_becomes_unwritable_and_back(void **state)
{
	int fd = create(BPF_MAP_TYPE_HASH, 4, 8, 4, 0);
	struct emu_map *m = map_of(fd);
	int wfd;

	(void)state;
	wfd = emu_fd_new(EMU_OBJ_MAP, m, EMU_FD_POLLOUT);
	assert_true(wfd >= 0);
	assert_int_equal(poll_now(wfd, POLLOUT), POLLOUT);
	emu_fd_set_ready(m, 0);
	assert_int_equal(poll_now(wfd, POLLOUT), 0);
	emu_fd_set_ready(m, POLLOUT);
	assert_int_equal(poll_now(wfd, POLLOUT), POLLOUT);
	emu_fd_set_ready(m, 0);
	/* close detection still works after transient ends came and went */
	close(wfd);
	emu_fd_reap();
	assert_int_equal(emu_fd_count(), 1);
	close(fd);
	emu_fd_reap();
	assert_int_equal(emu_fd_count(), 0);
}

static void test_reset_closes_every_handle(void **state)
{
	int fd = create(BPF_MAP_TYPE_HASH, 4, 8, 4, 0);
	uint32_t k = 0;
	uint64_t v;

	(void)state;
	assert_int_equal(emu_fd_count(), 1);
	emu_fd_reset();
	assert_int_equal(emu_fd_count(), 0);
	/* the number is still open, but names nothing of ours */
	assert_int_equal(bpf_map_lookup_elem(fd, &k, &v), -EINVAL);
	close(fd);
}

/* The POSIX build's pollable handles are FIFOs in a private directory;
 * the Linux build makes none. */
static bool makes_fifos(void)
{
#if defined(__linux__) && !defined(BPFEMU_POSIX_ONLY)
	return false;
#else
	return true;
#endif
}

static bool exists(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0;
}

static void test_fifo_directory_goes_with_its_last_fifo(void **state)
{
	int fd = create(BPF_MAP_TYPE_HASH, 4, 8, 4, 0);
	struct emu_map *m = map_of(fd);
	char dir[64];
	int rfd, rfd2;

	(void)state;
	if (!makes_fifos()) {
		close(fd);
		emu_fd_reap();
		skip();
	}
	assert_null(emu_fd_fifo_dir());
	rfd = emu_fd_new(EMU_OBJ_MAP, m, EMU_FD_POLLIN);
	assert_true(rfd >= 0);
	assert_non_null(emu_fd_fifo_dir());
	snprintf(dir, sizeof(dir), "%s", emu_fd_fifo_dir());
	assert_true(exists(dir));
	rfd2 = emu_fd_new(EMU_OBJ_MAP, m, EMU_FD_POLLOUT);
	assert_string_equal(emu_fd_fifo_dir(), dir);
	close(rfd);
	emu_fd_reap();
	assert_true(exists(dir));
	close(rfd2);
	emu_fd_reap();
	assert_false(exists(dir));
	assert_null(emu_fd_fifo_dir());
	close(fd);
	emu_fd_reap();
	assert_int_equal(emu_fd_count(), 0);
}

/* A process that exits with pollable fds still open leaves no directory. */
static void test_fifo_directory_is_removed_at_exit(void **state)
{
	int fd = create(BPF_MAP_TYPE_HASH, 4, 8, 4, 0);
	struct emu_map *m = map_of(fd);
	char dir[64] = "";
	int pipefd[2], status;
	pid_t pid;

	(void)state;
	if (!makes_fifos()) {
		close(fd);
		emu_fd_reap();
		skip();
	}
	assert_int_equal(pipe(pipefd), 0);
	pid = fork();
	if (pid == 0) {
		const char *d;

		close(pipefd[0]);
		if (emu_fd_new(EMU_OBJ_MAP, m, EMU_FD_POLLIN) < 0 || !(d = emu_fd_fifo_dir()))
			_exit(1);
		if (write(pipefd[1], d, strlen(d) + 1) < 0)
			_exit(1);
		exit(0);	/* not _exit: what a test binary does */
	}
	close(pipefd[1]);
	assert_true(read(pipefd[0], dir, sizeof(dir) - 1) > 0);
	close(pipefd[0]);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	assert_true(dir[0] == '/');
	assert_false(exists(dir));
	close(fd);
	emu_fd_reap();
}

/* A forked child closing its copy of a handle leaves the parent's FIFO
 * (the parent still moves its fd's level through it), and its own FIFOs
 * go in a directory of its own. */
static void test_forked_child_leaves_the_parents_fifos(void **state)
{
	int fd = create(BPF_MAP_TYPE_HASH, 4, 8, 4, 0);
	struct emu_map *m = map_of(fd);
	char dir[64];
	int rfd, status;
	pid_t pid;

	(void)state;
	if (!makes_fifos()) {
		close(fd);
		emu_fd_reap();
		skip();
	}
	rfd = emu_fd_new(EMU_OBJ_MAP, m, EMU_FD_POLLIN);
	assert_true(rfd >= 0);
	snprintf(dir, sizeof(dir), "%s", emu_fd_fifo_dir());
	pid = fork();
	if (pid == 0) {
		int own;

		close(rfd);
		emu_fd_reap();
		own = emu_fd_new(EMU_OBJ_MAP, m, EMU_FD_POLLIN);
		if (own < 0 || !emu_fd_fifo_dir() || !strcmp(emu_fd_fifo_dir(), dir))
			_exit(1);
		close(own);
		emu_fd_reap();
		_exit(emu_fd_fifo_dir() ? 2 : 0);
	}
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	assert_true(exists(dir));
	emu_fd_set_ready(m, POLLIN);
	assert_int_equal(poll_now(rfd, POLLIN), POLLIN);
	emu_fd_set_ready(m, 0);
	assert_int_equal(poll_now(rfd, POLLIN), 0);
	close(rfd);
	close(fd);
	emu_fd_reap();
	assert_false(exists(dir));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_close_drops_the_user_reference),
		T(test_dup_adds_no_reference_and_keeps_the_file_open),
		T(test_forked_copy_keeps_the_file_open_until_the_child_exits),
		T(test_closed_number_is_ebadf_and_reused_number_is_einval),
		T(test_fd_of_another_kind_is_einval),
		T(test_fds_are_close_on_exec),
		T(test_pollin_object_becomes_readable_and_back),
		T(test_pollout_object_becomes_unwritable_and_back),
		T(test_reset_closes_every_handle),
		T(test_fifo_directory_goes_with_its_last_fifo),
		T(test_fifo_directory_is_removed_at_exit),
		T(test_forked_child_leaves_the_parents_fifos),
	};

	return cmocka_run_group_tests(tests, map_group_setup, map_group_teardown);
}
