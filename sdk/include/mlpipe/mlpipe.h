/* Umbrella header: everything a plugin author needs. */
#ifndef MLPIPE_MLPIPE_H
#define MLPIPE_MLPIPE_H

#include <mlpipe/artifact.h>
#include <mlpipe/classes.h>
#include <mlpipe/context.h>
#include <mlpipe/csv.h>
#include <mlpipe/distance.h>
#include <mlpipe/error.h>
#include <mlpipe/examples.h>
#include <mlpipe/featscore.h>
#include <mlpipe/fitter.h>
#include <mlpipe/hash.h>
#include <mlpipe/json.h>
#include <mlpipe/labeling.h>
#include <mlpipe/log.h>
#include <mlpipe/memory.h>
#include <mlpipe/model.h>
#include <mlpipe/names.h>
#include <mlpipe/neighbors.h>
#include <mlpipe/order.h>
#include <mlpipe/parallel.h>
#include <mlpipe/plugin.h>
#include <mlpipe/schema.h>
#include <mlpipe/table.h>
#include <mlpipe/trainer.h>
#include <mlpipe/transform.h>
#include <mlpipe/view.h>

#define MLPIPE_VERSION_STRING "0.1.0"

#endif
