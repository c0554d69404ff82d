/* Opening plugin modules with libltdl.
 *
 * Every libltdl (and dlopen) call lives here, so swapping the loader means
 * editing one file.  Distributions delete .la files, and without one libltdl does not
 * strip the `_LTX_` prefix, so the descriptor is looked up under the plain
 * name first and under the module-prefixed name second.
 */
#include <dlfcn.h>
#include <ltdl.h>
#include <stdio.h>
#include <string.h>

#include "loader.h"

static int initialised;

int mlpi_loader_init(mlp_error *err)
{
    if (initialised++)
        return MLP_OK;
    if (lt_dlinit() != 0) {
        initialised = 0;
        return mlp_error_set(err, MLP_EPLUGIN, "cannot initialise libltdl: %s",
                             lt_dlerror());
    }
    return MLP_OK;
}

void mlpi_loader_exit(void)
{
    if (initialised && --initialised == 0)
        lt_dlexit();
}

/* The libltdl module name: the base name without directory or extension,
 * with characters that cannot be in a C identifier turned into '_', as
 * libtool does for its symbol prefixes. */
static void module_name(const char *path, char *out, size_t size)
{
    const char *base = strrchr(path, '/');
    size_t n = 0;

    base = base ? base + 1 : path;
    for (const char *p = base; *p && *p != '.' && n + 1 < size; p++) {
        char ch = *p;
        int ok = (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
                 (ch >= '0' && ch <= '9') || ch == '_';
        out[n++] = ok ? ch : '_';
    }
    out[n] = '\0';
}

int mlpi_loader_open(const char *path, void **handle,
                     const mlp_plugin_desc **desc, mlp_error *err)
{
    lt_dladvise advise;
    lt_dlhandle h;
    char sym[512], mod[256];
    void *p;

    *handle = NULL;
    *desc = NULL;
    if (lt_dladvise_init(&advise) != 0)
        return mlp_error_set(err, MLP_EPLUGIN, "%s: libltdl: %s", path,
                             lt_dlerror());
    /* Local symbols: two plugins may both define a static helper called
     * `run` without one shadowing the other. */
    lt_dladvise_local(&advise);
    h = lt_dlopenadvise(path, advise);
    lt_dladvise_destroy(&advise);
    if (h == NULL) {
        /* libltdl reports only "file not found" after trying its loaders;
         * the system loader says what is wrong (a missing symbol, a missing
         * library, not ELF).  Same flags, so the same verdict. */
        const char *why = lt_dlerror();
        void *probe = dlopen(path, RTLD_LAZY | RTLD_LOCAL);
        if (probe == NULL)
            why = dlerror();
        else
            dlclose(probe);
        return mlp_error_set(err, MLP_EPLUGIN,
                             "%s: not a loadable shared object: %s", path,
                             why ? why : "unknown error");
    }
    p = lt_dlsym(h, MLP_PLUGIN_SYMBOL);
    if (p == NULL) {
        module_name(path, mod, sizeof mod);
        snprintf(sym, sizeof sym, "%s_LTX_%s", mod, MLP_PLUGIN_SYMBOL);
        p = lt_dlsym(h, sym);
    }
    if (p == NULL) {
        lt_dlclose(h);
        return mlp_error_set(err, MLP_EPLUGIN,
                             "%s: no entry point %s_LTX_%s (define it with "
                             "MLP_PLUGIN_DEFINE)", path, mod, MLP_PLUGIN_SYMBOL);
    }
    *handle = h;
    *desc = p;
    return MLP_OK;
}

void mlpi_loader_close(void *handle)
{
    if (handle != NULL)
        lt_dlclose((lt_dlhandle)handle);
}
