#include "remediator/webhook/alert_time.h"

#include <string>

#include "common/kube/rfc3339.h"

namespace fhc::remediator {

Result<std::optional<WallTime>> ParseAlertTime(std::string_view text) {
  using R = Result<std::optional<WallTime>>;
  // Go writes its zero time as year 1; nanosecond time points cannot hold it, so it is
  // recognised by its text before any arithmetic.
  if (text.substr(0, 19) == "0001-01-01T00:00:00") return R(std::optional<WallTime>());
  int year = 0;
  for (std::size_t i = 0; i < 4; ++i) {
    if (i >= text.size() || text[i] < '0' || text[i] > '9') {
      return R::Error("expected an RFC 3339 time");
    }
    year = year * 10 + (text[i] - '0');
  }
  if (year < 1900 || year > 2200) return R::Error("time out of range (years 1900-2200)");
  auto parsed = kube::ParseRfc3339(text);
  if (!parsed) return R::Error("expected an RFC 3339 time");
  return R(std::optional<WallTime>(*parsed));
}

}  // namespace fhc::remediator
