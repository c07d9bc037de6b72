/* Outputs and secret files (lib/base/file.c): another user's pipe is never
 * written, a pipe nobody reads does not hang, modes follow the umask, key
 * files are judged by the descriptor read. */
#include "testutil.h"

#include <fcntl.h>
#include <unistd.h>

#include "coyeu/file.h"

#define OTHER_UID 65534 /* nobody */

static char dir[64];

static int
setup(void **state)
{
	(void)state;
	snprintf(dir, sizeof(dir), "/tmp/coyeu-file.XXXXXX");
	return mkdtemp(dir) == NULL ? -1 : 0;
}

static int
teardown(void **state)
{
	char cmd[128];

	(void)state;
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	return system(cmd) == 0 ? 0 : -1;
}

static void
path_in(char *out, size_t cap, const char *name)
{
	snprintf(out, cap, "%s/%s", dir, name);
	(void)unlink(out);
}

static void
fifo_in(char *out, size_t cap, const char *name, mode_t mode)
{
	path_in(out, cap, name);
	assert_int_equal(mkfifo(out, mode), 0);
}

/* A FIFO of another user, with a reader (this process, O_RDWR never
 * blocks): refused before anything is written. Needs root to chown. */
static void
test_other_users_fifo(void **state)
{
	cy_outfile *o = NULL;
	cy_error err = {0, ""};
	char path[128], buf[16];
	int rd;

	(void)state;
	fifo_in(path, sizeof(path), "theirs", 0622);
	if (chown(path, OTHER_UID, (gid_t)-1) != 0)
		skip();
	assert_true((rd = open(path, O_RDWR | O_NONBLOCK)) >= 0);
	assert_int_equal(cy_outfile_open(path, 0600, 0, &o, &err), CY_E_POLICY);
	assert_null(o);
	assert_non_null(strstr(err.msg, "belongs to user 65534"));
	assert_true(read(rd, buf, sizeof(buf)) < 0);
	close(rd);
}

/* The caller's own FIFO: written when read, refused at once when not. */
static void
test_own_fifo(void **state)
{
	char path[128], buf[16];
	cy_error err = {0, ""};
	cy_outfile *o = NULL;
	int rd;

	(void)state;
	fifo_in(path, sizeof(path), "mine", 0600);
	assert_int_equal(cy_outfile_open(path, 0600, 0, &o, &err), CY_E_IO);
	assert_non_null(strstr(err.msg, "nobody is reading"));
	assert_true((rd = open(path, O_RDONLY | O_NONBLOCK)) >= 0);
	assert_int_equal(cy_outfile_open(path, 0600, 0, &o, &err), 0);
	assert_false(cy_outfile_is_atomic(o));
	assert_int_equal(cy_write_all(cy_outfile_fd(o), "hello", 5), 0);
	assert_int_equal(cy_outfile_commit(o, &err), 0);
	assert_int_equal(read(rd, buf, sizeof(buf)), 5);
	close(rd);
}

static void
test_dev_null(void **state)
{
	cy_outfile *o = NULL;
	cy_error err = {0, ""};

	(void)state;
	assert_int_equal(cy_outfile_open("/dev/null", 0600, 0, &o, &err), 0);
	assert_int_equal(cy_write_all(cy_outfile_fd(o), "x", 1), 0);
	assert_int_equal(cy_outfile_commit(o, &err), 0);
}

static void
test_umask(void **state)
{
	char path[128];
	cy_error err = {0, ""};
	struct stat st;
	mode_t old;

	(void)state;
	path_in(path, sizeof(path), "out");
	old = umask(027);
	assert_int_equal(cy_file_write(path, "x", 1, 0644, 0, &err), 0);
	umask(old);
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0640);
}

/* Key files: through a link, a FIFO, another user's, or 0644: refused. */
static void
test_read_private(void **state)
{
	char key[128], link[128], fifo[128];
	cy_error err = {0, ""};
	uint8_t *data = NULL;
	size_t len = 0;

	(void)state;
	path_in(key, sizeof(key), "key");
	path_in(link, sizeof(link), "link");
	fifo_in(fifo, sizeof(fifo), "fifo", 0600);
	assert_int_equal(cy_file_write(key, "secret", 6, 0600, 0, &err), 0);
	assert_int_equal(cy_file_read_private(key, 64, &data, &len, &err), 0);
	assert_int_equal(len, 6);
	free(data);
	assert_int_equal(symlink("key", link), 0);
	assert_int_not_equal(cy_file_read_private(link, 64, &data, &len, &err), 0);
	assert_non_null(strstr(err.msg, "symbolic link"));
	assert_int_equal(cy_file_read_private(fifo, 64, &data, &len, &err),
	    CY_E_POLICY);
	assert_non_null(strstr(err.msg, "not a regular file"));
	assert_int_equal(chmod(key, 0644), 0);
	assert_int_equal(cy_file_read_private(key, 64, &data, &len, &err),
	    CY_E_POLICY);
	assert_non_null(strstr(err.msg, "readable by others (mode 644)"));
	assert_int_equal(chmod(key, 0600), 0);
	if (chown(key, OTHER_UID, (gid_t)-1) != 0)
		skip();
	assert_int_equal(cy_file_read_private(key, 64, &data, &len, &err),
	    CY_E_POLICY);
	assert_non_null(strstr(err.msg, "belongs to user 65534"));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_other_users_fifo),
		cmocka_unit_test(test_own_fifo),
		cmocka_unit_test(test_dev_null),
		cmocka_unit_test(test_umask),
		cmocka_unit_test(test_read_private),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
