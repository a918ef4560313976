// event_log: what the server knows of each case event beyond the synced row (server schema
// version 7, row_merger.h): when the server received it, and whether it is overruled (it
// announced a report change that was parked or that a rule overruled). Readers that speak
// for the case (public receipt pages, Open311, leaders' figures) use these fragments so
// that they agree on which events are true of the case and on which time counts.
#pragma once

namespace q11::server {

// SQL condition on a case event aliased `e`: not overruled.
inline constexpr const char* kEventTrueOfCase =
    "NOT EXISTS (SELECT 1 FROM event_log x WHERE x.event_id = e.id AND x.overruled IS NOT NULL)";

// SQL expression: the server's receive time of case event `e`, or for an event older than
// event_log, the device's own time (the best there is).
inline constexpr const char* kEventReceivedAt =
    "coalesce((SELECT x.received_at FROM event_log x WHERE x.event_id = e.id), e.created_at)";

}  // namespace q11::server
