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

#endif
