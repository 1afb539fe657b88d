/*
 * ical-check FILE: parses the iCalendar file FILE with libical, runs
 * icalrestriction_check on it (RFC 5546's rules for its METHOD) and prints
 * every error libical attached (X-LIC-ERROR properties), one a line, with
 * the component it is in.  Exits 0 when there is none, 1 when there are,
 * 2 when the file cannot be read or holds no VCALENDAR.
 */
#include <libical/ical.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int report(icalcomponent *c)
{
	icalproperty *p;
	icalcomponent *sub;
	int n = 0;

	for (p = icalcomponent_get_first_property(c, ICAL_XLICERROR_PROPERTY); p;
	     p = icalcomponent_get_next_property(c, ICAL_XLICERROR_PROPERTY)) {
		printf("%s: %s\n", icalcomponent_kind_to_string(icalcomponent_isa(c)),
		       icalproperty_get_xlicerror(p));
		n++;
	}
	for (sub = icalcomponent_get_first_component(c, ICAL_ANY_COMPONENT); sub;
	     sub = icalcomponent_get_next_component(c, ICAL_ANY_COMPONENT))
		n += report(sub);
	return n;
}

int main(int argc, char **argv)
{
	icalcomponent *cal;
	FILE *f;
	char *buf;
	long len;
	int n, ok;

	if (argc != 2) {
		fprintf(stderr, "usage: ical-check FILE\n");
		return 2;
	}
	if (!(f = fopen(argv[1], "rb")) || fseek(f, 0, SEEK_END) ||
	    (len = ftell(f)) < 0 || fseek(f, 0, SEEK_SET) ||
	    !(buf = malloc((size_t)len + 1)) ||
	    fread(buf, 1, (size_t)len, f) != (size_t)len) {
		fprintf(stderr, "ical-check: cannot read %s\n", argv[1]);
		return 2;
	}
	fclose(f);
	buf[len] = '\0';
	cal = icalparser_parse_string(buf);
	free(buf);
	if (!cal || icalcomponent_isa(cal) != ICAL_VCALENDAR_COMPONENT) {
		fprintf(stderr, "ical-check: %s holds no VCALENDAR\n", argv[1]);
		if (cal)
			icalcomponent_free(cal);
		return 2;
	}
	ok = icalrestriction_check(cal);
	n = report(cal);
	if (!ok && !n)
		printf("VCALENDAR: icalrestriction_check failed\n");
	icalcomponent_free(cal);
	return n || !ok ? 1 : 0;
}
