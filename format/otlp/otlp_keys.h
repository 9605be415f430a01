/* otlp_keys.h: the attribute keys kiln uses to carry pprof fields that OTLP
 * profiles (v1development, both layouts kiln reads) has no field for, so that pprof -> OTLP ->
 * kiln loses nothing. Written by tools/otlp_gen.c, read by writer/otlp.c;
 * other producers simply do not set them. */
#ifndef KILN_OTLP_KEYS_H
#define KILN_OTLP_KEYS_H

/* Profile attributes (string values; comments an array of strings). */
#define KILN_OTLP_DEFAULT_TYPE "pprof.default_sample_type"
#define KILN_OTLP_DROP_FRAMES "pprof.drop_frames"
#define KILN_OTLP_KEEP_FRAMES "pprof.keep_frames"
#define KILN_OTLP_DOC_URL "pprof.doc_url"
#define KILN_OTLP_COMMENT "pprof.comment"

/* Mapping attributes: booleans, and the build id under the semantic
 * conventions' process.executable.build_id.* keys (any suffix is read). */
#define KILN_OTLP_HAS_FUNCTIONS "pprof.mapping.has_functions"
#define KILN_OTLP_HAS_FILENAMES "pprof.mapping.has_filenames"
#define KILN_OTLP_HAS_LINE_NUMBERS "pprof.mapping.has_line_numbers"
#define KILN_OTLP_HAS_INLINE_FRAMES "pprof.mapping.has_inline_frames"
#define KILN_OTLP_BUILD_ID_PREFIX "process.executable.build_id."
#define KILN_OTLP_BUILD_ID_GNU "process.executable.build_id.gnu"
#define KILN_OTLP_BUILD_ID_GO "process.executable.build_id.go"

/* Location attribute (boolean). */
#define KILN_OTLP_IS_FOLDED "pprof.location.is_folded"

/* Resource attributes that become series labels. */
#define KILN_OTLP_SERVICE_NAME "service.name" /* -> service_name */
#define KILN_OTLP_HOST_NAME "host.name"       /* -> host */

#endif
