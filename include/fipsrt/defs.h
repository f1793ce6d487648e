/* SPDX-License-Identifier: Apache-2.0 */
/**
 * @file fipsrt/defs.h
 * @brief Version numbers and the export macro shared by every libfipsrt header.
 */
#ifndef FIPSRT_DEFS_H
#define FIPSRT_DEFS_H

#include <stddef.h>
#include <stdint.h>

/** API version of the headers in use (semantic versioning; the SONAME follows the major). */
#define FIPSRT_VERSION_MAJOR 1
#define FIPSRT_VERSION_MINOR 1
#define FIPSRT_VERSION_PATCH 0
#define FIPSRT_VERSION_STRING "1.1.0"

#if defined(FIPSRT_BUILDING_LIBRARY)
#define FIPSRT_API __attribute__((visibility("default")))
#else
#define FIPSRT_API
#endif

#ifdef __cplusplus
#define FIPSRT_BEGIN_DECLS extern "C" {
#define FIPSRT_END_DECLS }
#else
#define FIPSRT_BEGIN_DECLS
#define FIPSRT_END_DECLS
#endif

#endif /* FIPSRT_DEFS_H */
