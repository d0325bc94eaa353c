/*
 * graphssl: self-supervised learning on graphs.  Include this one header.
 */
#ifndef GRAPHSSL_H
#define GRAPHSSL_H

#include "graphssl/common.h"
#include "graphssl/tensor.h"
#include "graphssl/graph.h"
#include "graphssl/io.h"
#include "graphssl/nn.h"
#include "graphssl/model.h"
#include "graphssl/eval.h"
#include "graphssl/dgi.h"
#include "graphssl/tu.h"
#include "graphssl/model_file.h"
#include "graphssl/gcc.h"
#include "graphssl/deepwalk.h"
#include "graphssl/graphgan.h"
#include "graphssl/link.h"
#include "graphssl/vgae.h"

#endif
