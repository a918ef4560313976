#include "syncserver/conflict.h"

namespace q11::server {

const char* ConflictOpName(ConflictOp op) {
  switch (op) {
    case ConflictOp::kDelete:
      return "delete";
    case ConflictOp::kUpdateDeleted:
      return "update_deleted";
    default:
      return "update";
  }
}

}  // namespace q11::server
