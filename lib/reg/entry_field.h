/* Internal to lib/reg: one value checked as an entry type's field would
 * be, so records made from entries (inventory views) take exactly what
 * the entries could carry. */
#ifndef COYEU_REG_ENTRY_FIELD_H
#define COYEU_REG_ENTRY_FIELD_H

#include <stddef.h>

/* 1 when v[0..n) is a valid value of `field` in entries of `type`. */
int cy_entry_field_ok(const char *type, const char *field, const char *v,
    size_t n);

#endif
