#pragma once
// The status page on `/`: one self-contained HTML document (inline CSS and SVG, no script, no
// external asset) rendered from a snapshot. Its ids and data attributes are pinned by INTERFACE.md
// ("Status page and history"); everything that comes from rules, labels, reasons or Bedrock is
// escaped.
#include <string>
#include <string_view>

#include "agent/status/status_server.hpp"

namespace bw::agent {

// How often the page reloads itself (<meta http-equiv="refresh">).
inline constexpr int kPageRefreshSeconds = 30;

// Appends `text` to `out` with & < > " ' escaped: safe inside elements and quoted attributes.
void append_escaped(std::string& out, std::string_view text);

// "modelId=m1,region=x": a series as data-series and /api/v1/series?series= spell it.
std::string series_text(const AlertList::Labels& labels);

// A number as people read it on the page: 1,250,000 / 35,073.4 / 0.25 / 1.2e-05.
std::string readable_number(double v);

// A duration as "45s", "12m", "3h 05m", "2d 4h".
std::string readable_age(Duration d);

// The page for `snapshot`; `now` is what ages ("since", the oldest pending) are measured against.
// `out` is cleared first (its capacity kept, so a caller can reuse one buffer).
void render_status_page(const StatusSnapshot& snapshot, Time now, std::string& out);

}  // namespace bw::agent
