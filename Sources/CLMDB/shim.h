#ifndef ODDSNET_CLMDB_SHIM_H
#define ODDSNET_CLMDB_SHIM_H
#include <lmdb.h>
#endif
