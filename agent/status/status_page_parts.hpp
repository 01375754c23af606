#pragma once
// What the status page's two source files share (status_page.cpp: the frame, header and alerts;
// status_page_sections.cpp: series, jobs, deliveries, silences). Not for use outside them.
#include <iterator>
#include <string>
#include <string_view>

#include "agent/status/status_page.hpp"

namespace bw::agent::detail {

using Out = std::back_insert_iterator<std::string>;

// CSS class of a state; colour is a hint only: every badge also says the state in words.
std::string_view state_class(AlarmState s);
// ALARM 0, INSUFFICIENT_DATA 1, DRAINED 2, OK 3: the order the page lists states in.
int state_rank(AlarmState s);
// <span class="badge CSS">TEXT</span>, TEXT escaped.
void badge(std::string& out, std::string_view css, std::string_view text);

void render_series(const StatusSnapshot& s, std::string& out);
void render_jobs(const StatusSnapshot& s, Time now, std::string& out);
void render_deliveries(const StatusSnapshot& s, Time now, std::string& out);
void render_silences(const StatusSnapshot& s, Time now, std::string& out);

}  // namespace bw::agent::detail
