/* Internal: artifact type contracts (the JSON language is documented with
 * mlp_type_desc in plugin.h). */
#ifndef MLPIPE_CORE_CONTRACT_H
#define MLPIPE_CORE_CONTRACT_H

#include <cjson/cJSON.h>

#include <mlpipe/error.h>

/* Parses and checks a contract's text; *out (owned) is its JSON.  Errors
 * say which member is wrong. */
int mlpi_contract_parse(const char *text, cJSON **out, mlp_error *err);

/* Checks an artifact (directory dir, properties props, may be NULL)
 * against a parsed contract.  MLP_OK, or MLP_EFORMAT with err saying what
 * is missing ("no table eval.mlpt for split 'eval'"-like text). */
int mlpi_contract_check(const cJSON *contract, const char *dir,
                        const cJSON *props, mlp_error *err);

#endif
