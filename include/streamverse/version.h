/*
 * streamverse/version.h - the version of the Streamverse headers and library.
 *
 * SV_VERSION_* give the version of the headers an application was compiled
 * against; sv_version() and sv_version_number() give the version of the
 * library it runs with. They differ when a program is run against a newer
 * shared library; the API promises source and binary compatibility within
 * one major version.
 */
#ifndef STREAMVERSE_VERSION_H
#define STREAMVERSE_VERSION_H

#include "common.h"

#ifdef __cplusplus
extern "C" {
#endif

#define SV_VERSION_MAJOR 0
#define SV_VERSION_MINOR 1
#define SV_VERSION_PATCH 0

/* The version as one number, 0xMMmmpp, for compile-time comparisons. */
#define SV_VERSION_NUMBER \
    ((SV_VERSION_MAJOR << 16) | (SV_VERSION_MINOR << 8) | SV_VERSION_PATCH)

/* Builds a version number to compare with SV_VERSION_NUMBER. */
#define SV_MAKE_VERSION(major, minor, patch) (((major) << 16) | ((minor) << 8) | (patch))

/*
 * Returns the library's version as "MAJOR.MINOR.PATCH", a static string.
 * Thread-safe.
 */
SV_API const char *sv_version(void);

/* Returns the library's version as SV_MAKE_VERSION(major, minor, patch). */
SV_API unsigned sv_version_number(void);

#ifdef __cplusplus
}
#endif

#endif /* STREAMVERSE_VERSION_H */
