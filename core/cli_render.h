/* Internal: human views of Statistics, Schema and Anomalies artifacts, for
 * `mlpipe show` (terminal tables) and `mlpipe report` (HTML). */
#ifndef MLPIPE_CORE_CLI_RENDER_H
#define MLPIPE_CORE_CLI_RENDER_H

#include <stdio.h>

#include <cjson/cJSON.h>

void mlpi_show_statistics(FILE *out, const cJSON *stats);
void mlpi_show_anomalies(FILE *out, const cJSON *anomalies);

void mlpi_html_begin(FILE *out, const char *title);
void mlpi_html_statistics(FILE *out, const char *heading, const cJSON *stats);
void mlpi_html_schema(FILE *out, const char *heading, const cJSON *schema);
void mlpi_html_anomalies(FILE *out, const char *heading, const cJSON *anomalies);
void mlpi_html_end(FILE *out);

#endif
