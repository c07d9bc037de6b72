/* coyeud — the signed routes' JSON bodies (bodies.h). */
#include <string.h>

#include "bodies.h"

int
cyd_body_parse(const uint8_t *body, size_t len, json_t **out, cy_error *err)
{
	json_error_t je;
	json_t *o;

	*out = NULL;
	if ((o = json_loadb((const char *)body, len, JSON_REJECT_DUPLICATES,
	    &je)) == NULL)
		return cy_error_set(err, CY_E_FORMAT,
		    "malformed JSON: %s (at byte %d)", je.text, je.position);
	if (!json_is_object(o)) {
		json_decref(o);
		return cy_error_set(err, CY_E_FORMAT,
		    "malformed JSON: the body must be an object");
	}
	*out = o;
	return 0;
}

int
cyd_body_member(json_t *obj, const char *name, const char **text,
    size_t *len, cy_error *err)
{
	json_t *v = json_object_get(obj, name);

	if (!json_is_string(v))
		return cy_error_set(err, CY_E_FORMAT,
		    "malformed JSON: the body needs a \"%s\" string", name);
	*text = json_string_value(v);
	*len = json_string_length(v);
	return 0;
}

int
cyd_body_entries(json_t *obj, size_t max, const uint8_t **ptrs,
    size_t *lens, size_t *n, cy_error *err)
{
	json_t *list = json_object_get(obj, "entries"), *v;
	size_t i;

	*n = json_array_size(list);
	if (!json_is_array(list) || *n == 0 || *n > max)
		return cy_error_set(err, CY_E_FORMAT, "malformed JSON: "
		    "\"entries\" must be an array of 1 to %zu entries", max);
	for (i = 0; i < *n; i++) {
		v = json_array_get(list, i);
		if (!json_is_string(v))
			return cy_error_set(err, CY_E_FORMAT,
			    "entry %zu is not a string", i);
		ptrs[i] = (const uint8_t *)json_string_value(v);
		lens[i] = json_string_length(v);
	}
	return 0;
}
