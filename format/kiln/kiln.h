/* kiln/kiln.h: the whole public API of libkiln in one include. */
#ifndef KILN_KILN_H
#define KILN_KILN_H

#include <kiln/common.h>
#include <kiln/rows.h>
#include <kiln/store.h>
#include <kiln/writer.h>
#include <kiln/reader.h>
#include <kiln/flame.h>

#endif
