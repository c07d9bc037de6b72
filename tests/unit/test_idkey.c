/* Key files: sealed with a passphrase or bare for services; 0600 only. */
#include "testutil.h"

#include <unistd.h>

#include "coyeu/idkey.h"
#include "coyeu/secret.h"

static char dir[64];
static char path[128];

static int
give_pass(void *ctx, char *buf, size_t cap, cy_error *err)
{
	(void)err;
	snprintf(buf, cap, "%s", (const char *)ctx);
	return 0;
}

static int
setup(void **state)
{
	(void)state;
	assert_int_equal(cy_init(), 0);
	snprintf(dir, sizeof(dir), "/tmp/coyeu-idkey-XXXXXX");
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/officer.key", dir);
	return 0;
}

static int
teardown(void **state)
{
	(void)state;
	unlink(path);
	rmdir(dir);
	return 0;
}

static void
same_key(const cy_idkey *a, const cy_idkey *b)
{
	char sa[CY_IDENTITY_STR_MAX], sb[CY_IDENTITY_STR_MAX];
	cy_error err;

	assert_memory_equal(cy_idkey_sign_public(a), cy_idkey_sign_public(b),
	    CY_SIGN_PUBLIC_LEN);
	assert_memory_equal(cy_idkey_seal_public(a), cy_idkey_seal_public(b),
	    CY_SEAL_PUBLIC_LEN);
	/* the one export of a secret: the same sealing key in both */
	assert_int_equal(cy_idkey_export_age_identity(a, sa, &err), 0);
	assert_int_equal(cy_idkey_export_age_identity(b, sb, &err), 0);
	assert_string_equal(sa, sb);
	assert_memory_equal(sa, "AGE-SECRET-KEY-1", 16);
	cy_wipe(sa, sizeof(sa));
	cy_wipe(sb, sizeof(sb));
}

static void
test_protected(void **state)
{
	cy_idkey *k = NULL, *k2 = NULL;
	struct stat st;
	uint8_t head[22];
	FILE *f;
	cy_error err;

	(void)state;
	assert_int_equal(cy_idkey_generate(&k, &err), 0);
	assert_int_equal(cy_idkey_save(k, path, "đúng mật khẩu", 10, &err), 0);
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0600);
	/* an age file */
	assert_non_null(f = fopen(path, "rb"));
	assert_int_equal(fread(head, 1, sizeof(head), f), sizeof(head));
	fclose(f);
	assert_memory_equal(head, "age-encryption.org/v1\n", 22);
	/* never overwritten */
	assert_int_equal(cy_idkey_save(k, path, "x", 10, &err), CY_E_IO);
	assert_non_null(strstr(err.msg, "already exists"));
	assert_int_equal(cy_idkey_load(path, give_pass, "đúng mật khẩu", &k2,
	    &err), 0);
	same_key(k, k2);
	cy_idkey_free(k2);
	assert_int_equal(cy_idkey_load(path, give_pass, "sai", &k2, &err),
	    CY_E_PASSPHRASE);
	assert_string_equal(err.msg, "wrong passphrase");
	assert_int_equal(cy_idkey_load(path, NULL, NULL, &k2, &err), CY_E_USAGE);
	/* readable by others: refused, saying so */
	assert_int_equal(chmod(path, 0644), 0);
	assert_int_equal(cy_idkey_load(path, give_pass, "đúng mật khẩu", &k2,
	    &err), CY_E_POLICY);
	assert_non_null(strstr(err.msg, "readable by others"));
	unlink(path);
	cy_idkey_free(k);
}

static void
test_unprotected(void **state)
{
	cy_idkey *k = NULL, *k2 = NULL;
	cy_error err;
	FILE *f;
	char line[64];

	(void)state;
	assert_int_equal(cy_idkey_generate(&k, &err), 0);
	assert_int_equal(cy_idkey_save(k, path, NULL, 0, &err), 0);
	assert_non_null(f = fopen(path, "r"));
	assert_non_null(fgets(line, sizeof(line), f));
	fclose(f);
	assert_string_equal(line, "version: coyeu.v1/idkey\n");
	assert_int_equal(cy_idkey_load(path, NULL, NULL, &k2, &err), 0);
	same_key(k, k2);
	cy_idkey_free(k2);
	assert_int_equal(chmod(path, 0640), 0);
	assert_int_equal(cy_idkey_load(path, NULL, NULL, &k2, &err),
	    CY_E_POLICY);
	assert_non_null(strstr(err.msg, "readable by others (mode 640)"));
	unlink(path);
	/* something else entirely */
	assert_non_null(f = fopen(path, "w"));
	fputs("AGE-SECRET-KEY-1XYZ\n", f);
	fclose(f);
	assert_int_equal(chmod(path, 0600), 0);
	assert_int_equal(cy_idkey_load(path, NULL, NULL, &k2, &err),
	    CY_E_FORMAT);
	assert_non_null(strstr(err.msg, "not a coyeu key file"));
	unlink(path);
	cy_idkey_free(k);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_protected),
		cmocka_unit_test(test_unprotected),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
