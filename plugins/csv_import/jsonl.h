/* JSON Lines rows for the ingestion: one flat JSON object per line, turned
 * into the same fields the CSV tokenizer gives (a key's absence or null is
 * a missing value). */
#ifndef MLPIPE_CSV_IMPORT_JSONL_H
#define MLPIPE_CSV_IMPORT_JSONL_H

#include <cjson/cJSON.h>

#include <mlpipe/csv.h>

/* The keys of every object in the file, in order of first appearance: an
 * owned cJSON array of strings.  Errors name file:line:column; with
 * skip_bad, lines that are not valid are passed over. */
int jsonl_columns(const char *path, const char *buf, size_t len, int skip_bad,
                  cJSON **out, mlp_error *err);

/* Reads the next object into r->fields, one field per name in `cols`
 * (fields of missing keys have p == NULL).  Returns 1, 0 at the end, or a
 * negative code (err names file:line). */
int jsonl_next(mlp_csv_reader *r, const cJSON *cols, mlp_error *err);

#endif
