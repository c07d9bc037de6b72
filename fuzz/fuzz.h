/* Included once by every harness: the libFuzzer entry points, and the
 * one-time library start-up (guarded memory needs libsodium initialised). */
#ifndef COYEU_FUZZ_H
#define COYEU_FUZZ_H

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "coyeu/secret.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	return cy_init() == 0 ? 0 : -1;
}

#endif
