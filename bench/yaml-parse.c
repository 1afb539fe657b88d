/*
 * yaml-parse.c - the bare libyaml baseline: parse YAML files with the
 * event API and count the events, doing nothing else with them.
 *
 * Usage: yaml-parse FILE...
 *        yaml-parse < LIST        (no arguments, or "-": one file name a line)
 *
 * Prints "FILES files, EVENTS events, BYTES bytes" and exits 0, or 1 if a
 * file could not be read or parsed (it says which on stderr and goes on).
 *
 * Build (bench/lib-bench.sh's bench_yaml_parse does this into its scratch
 * directory):
 *
 *	cc -O2 -o yaml-parse bench/yaml-parse.c $(pkg-config --cflags --libs yaml-0.1)
 *
 * A benchmark of chg-lint on many change requests can time it on the same
 * files, e.g. `git ls-files -z changes | tr '\0' '\n' | yaml-parse`
 * (file names with newlines are not supported on stdin).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <yaml.h>

static unsigned long files, events, bytes;

static int parse(const char *path)
{
	FILE *f = fopen(path, "rb");
	yaml_parser_t parser;
	yaml_event_t event;
	int ok = 1, done = 0;

	if (!f) {
		perror(path);
		return 0;
	}
	if (!yaml_parser_initialize(&parser)) {
		fprintf(stderr, "%s: cannot initialize the parser\n", path);
		fclose(f);
		return 0;
	}
	yaml_parser_set_input_file(&parser, f);
	while (!done) {
		if (!yaml_parser_parse(&parser, &event)) {
			fprintf(stderr, "%s:%lu: %s\n", path,
				(unsigned long)parser.problem_mark.line + 1,
				parser.problem ? parser.problem : "parse error");
			ok = 0;
			break;
		}
		events++;
		done = event.type == YAML_STREAM_END_EVENT;
		yaml_event_delete(&event);
	}
	bytes += (unsigned long)ftell(f);
	yaml_parser_delete(&parser);
	fclose(f);
	files++;
	return ok;
}

int main(int argc, char **argv)
{
	int ok = 1;
	char line[4096];

	if (argc > 1 && strcmp(argv[1], "-") != 0) {
		for (int i = 1; i < argc; i++)
			ok &= parse(argv[i]);
	} else {
		while (fgets(line, sizeof line, stdin)) {
			size_t n = strlen(line);

			if (n && line[n - 1] == '\n')
				line[--n] = '\0';
			if (n)
				ok &= parse(line);
		}
	}
	printf("%lu files, %lu events, %lu bytes\n", files, events, bytes);
	return ok ? 0 : 1;
}
