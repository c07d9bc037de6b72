#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "coyeu/error.h"

int
cy_error_set(cy_error *err, int code, const char *fmt, ...)
{
	va_list ap;

	if (err == NULL)
		return code;
	err->code = code;
	va_start(ap, fmt);
	vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
	va_end(ap);
	return code;
}

int
cy_error_wrap(cy_error *err, const char *fmt, ...)
{
	char prefix[CY_ERROR_MSG_MAX], old[CY_ERROR_MSG_MAX];
	va_list ap;
	size_t len;
	int n;

	if (err == NULL)
		return CY_E_USAGE;
	va_start(ap, fmt);
	vsnprintf(prefix, sizeof(prefix), fmt, ap);
	va_end(ap);
	memcpy(old, err->msg, sizeof(old));
	if (old[0] == '\0')
		snprintf(old, sizeof(old), "%s", cy_strerror(err->code));
	/* Truncation is fine: the start of a message says most. */
	n = snprintf(err->msg, sizeof(err->msg), "%s: ", prefix);
	if (n >= 0 && (size_t)n < sizeof(err->msg)) {
		/* memcpy, not snprintf: gcc -O1 flags the intended truncation. */
		len = strnlen(old, sizeof(err->msg) - (size_t)n - 1);
		memcpy(err->msg + n, old, len);
		err->msg[(size_t)n + len] = '\0';
	}
	return err->code;
}

void
cy_error_clear(cy_error *err)
{
	if (err == NULL)
		return;
	err->code = CY_OK;
	err->msg[0] = '\0';
}

const char *
cy_strerror(int code)
{
	switch (code) {
	case CY_OK: return "success";
	case CY_E_NOMEM: return "out of memory";
	case CY_E_IO: return "input/output error";
	case CY_E_USAGE: return "invalid argument";
	case CY_E_HEADER: return "malformed age header";
	case CY_E_ARMOR: return "malformed ASCII armor";
	case CY_E_HMAC: return "header MAC mismatch: the file is damaged or was tampered with";
	case CY_E_NO_MATCH: return "no identity matched any of the recipients";
	case CY_E_PAYLOAD: return "payload damaged or tampered with";
	case CY_E_FORMAT: return "malformed input";
	case CY_E_SIGNATURE: return "signature does not verify";
	case CY_E_POLICY: return "refused by policy";
	case CY_E_REVOKED: return "certificate revoked";
	case CY_E_CRYPTO: return "cryptographic operation failed";
	case CY_E_TOO_LARGE: return "input too large";
	case CY_E_PASSPHRASE: return "wrong passphrase";
	case CY_E_NOT_FOUND: return "not found";
	case CY_E_STORE: return "storage error";
	case CY_E_PROOF: return "proof does not verify";
	case CY_E_STORE_RETRY: return "storage busy: try again";
	}
	return "unknown error";
}
