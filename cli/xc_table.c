/* Tables for people and CSV for programs, in the locale's language: what
 * coyeu register, item and stocktake print (exchange.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "exchange.h"

int
cli_xc_english(void)
{
	static const char *const vars[] = {"LC_ALL", "LC_MESSAGES", "LANG"};
	const char *v;
	size_t i;

	for (i = 0; i < 3; i++)
		if ((v = getenv(vars[i])) != NULL && *v != '\0')
			return strncmp(v, "en", 2) == 0;
	return 0;
}

void
cli_xc_cell(const char *s, size_t width, size_t col, int last)
{
	size_t w = cli_xc_width(s);

	printf("%s%s", col ? "  " : "", s);
	if (last)
		putchar('\n');
	else
		printf("%*s", w < width ? (int)(width - w) : 0, "");
}

void
cli_xc_table(const char *const *heads, size_t ncols, char *const *cells,
    size_t nrows)
{
	size_t *width = calloc(ncols ? ncols : 1, sizeof(*width)), r, c, w;

	if (width == NULL)
		return;
	for (c = 0; c < ncols; c++)
		width[c] = cli_xc_width(heads[c]);
	for (r = 0; r < nrows; r++)
		for (c = 0; c < ncols; c++)
			if ((w = cli_xc_width(cells[r * ncols + c])) > width[c])
				width[c] = w;
	for (c = 0; c < ncols; c++)
		cli_xc_cell(heads[c], width[c], c, c + 1 == ncols);
	for (r = 0; r < nrows; r++)
		for (c = 0; c < ncols; c++)
			cli_xc_cell(cells[r * ncols + c], width[c], c,
			    c + 1 == ncols);
	free(width);
}

void
cli_xc_csv_field(const char *s)
{
	if (strpbrk(s, ",\"\r\n") == NULL) {
		fputs(s, stdout);
		return;
	}
	putchar('"');
	for (; *s != '\0'; s++) {
		if (*s == '"')
			putchar('"');
		putchar(*s);
	}
	putchar('"');
}
