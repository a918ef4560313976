// Early-return helpers for Result<T>, private to devicecore.
#pragma once

#include "protocol/result.h"

#define Q11_CONCAT_INNER(a, b) a##b
#define Q11_CONCAT(a, b) Q11_CONCAT_INNER(a, b)

// Q11_ASSIGN_OR_RETURN(auto x, Expr()): returns Expr()'s Status when it failed, otherwise
// moves its value into x.
#define Q11_ASSIGN_OR_RETURN(lhs, expr) \
  Q11_ASSIGN_OR_RETURN_IMPL(Q11_CONCAT(q11_result_, __LINE__), lhs, expr)
#define Q11_ASSIGN_OR_RETURN_IMPL(tmp, lhs, expr) \
  auto tmp = (expr);                              \
  if (!tmp.ok()) return tmp.status();             \
  lhs = std::move(tmp).value()
