// The reports-v1 workload: 10,000 reports from 100 devices, read from the compressed JSON
// lines file, checked against its published SHA-256, and mapped onto Quận 11's ids:
// ward "Phường N" → "pNN"; each of the workload's 12 category names → one sample category
// (table in workload.cc and docs/benchmark.md).
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "protocol/result.h"

namespace q11::bench {

struct WorkloadReport {
  std::string id, device_id, category_id, ward_id, title, description, created_at;
  double lat = 0, lon = 0;
  int device = 0;  // 0..99 from "dev-NNN"
  int index = 0;   // g = device * 100 + position within the device
};

inline constexpr char kWorkloadSha256[] =
    "9a7315d9363af378c12758cd1f2b5c70cde8edec30990270e56f23f7eda3b345";

Result<std::vector<WorkloadReport>> LoadWorkload(const std::string& path);

}  // namespace q11::bench
