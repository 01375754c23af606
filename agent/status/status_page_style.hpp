#pragma once
// The status page's stylesheet, inlined into every page (no external asset may be fetched). System
// fonts only; states get a colour AND a word; below 640 px the tables reflow into one block per row.
#include <string_view>

namespace bw::agent {

inline constexpr std::string_view kPageStyle = R"css(
:root{--bg:#f4f5f7;--card:#fff;--ink:#1c2230;--mute:#5e6778;--line:#e0e3e9;
--alarm:#b3261e;--alarm-bg:#fdecea;--alarm-br:#f1b8b3;--insuff:#8a5a00;--insuff-bg:#fff4d9;--insuff-br:#f0d48f;
--ok:#1e6b3a;--ok-bg:#e7f4ec;--ok-br:#aed8bd;--drained:#1d4f9c;--drained-bg:#e8effc;--drained-br:#b5c9ee}
*{box-sizing:border-box}
body{margin:0;background:var(--bg);color:var(--ink);font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,"DejaVu Sans",sans-serif}
header{background:#1c2230;color:#fff;padding:10px 16px;display:flex;flex-wrap:wrap;align-items:center;gap:6px 14px}
header h1{font-size:17px;margin:0;letter-spacing:.01em}
header .meta{color:#b8c0cf;font-size:12px}
header .counts{display:flex;flex-wrap:wrap;gap:6px;margin-left:auto}
.count{font-size:12px;padding:1px 8px;border-radius:4px;border:1px solid}
nav{background:#fff;border-bottom:1px solid var(--line);padding:6px 16px;overflow-x:auto;white-space:nowrap}
nav a{color:var(--drained);margin-right:16px;text-decoration:none;font-weight:600;font-size:13px}
nav a:hover,footer a:hover{text-decoration:underline}
main{padding:14px 16px;max-width:1440px;margin:0 auto}
section{background:var(--card);border:1px solid var(--line);border-radius:8px;margin:0 0 14px;padding:10px 14px 12px}
h2{font-size:13px;text-transform:uppercase;letter-spacing:.05em;color:var(--mute);margin:2px 0 10px}
h2 small{text-transform:none;letter-spacing:0;font-weight:400;margin-left:6px}
.banner{background:var(--insuff-bg);border:1px solid var(--insuff-br);color:var(--insuff);margin:10px 16px 0;padding:8px 12px;border-radius:6px}
.empty{color:var(--mute);margin:4px 0}
.scroll{overflow-x:auto}
table{border-collapse:collapse;width:100%;font-variant-numeric:tabular-nums}
th,td{text-align:left;padding:6px 10px;border-bottom:1px solid var(--line);vertical-align:top}
thead th{font-size:12px;font-weight:600;color:var(--mute);white-space:nowrap;border-bottom:2px solid var(--line)}
tbody th{font-weight:600;white-space:nowrap}
tbody tr:hover{background:#fafbfc}
.num{text-align:right;white-space:nowrap}
.labels,code{font-family:ui-monospace,"DejaVu Sans Mono",monospace;font-size:12px;overflow-wrap:break-word}
.reason{color:#3b4354;font-size:13px;max-width:70ch}
time{white-space:nowrap}
.badge{display:inline-block;padding:0 7px;border-radius:4px;border:1px solid;font-size:11px;font-weight:700;letter-spacing:.03em;line-height:18px;white-space:nowrap}
.st-alarm{color:var(--alarm);background:var(--alarm-bg);border-color:var(--alarm-br)}
.st-insufficient{color:var(--insuff);background:var(--insuff-bg);border-color:var(--insuff-br)}
.st-ok{color:var(--ok);background:var(--ok-bg);border-color:var(--ok-br)}
.st-drained{color:var(--drained);background:var(--drained-bg);border-color:var(--drained-br)}
h3{font-size:13px;margin:12px 0 6px;font-weight:600}
h3 small{font-weight:400;color:var(--mute);margin-left:6px}
.grid{display:grid;grid-template-columns:repeat(auto-fill,250px);gap:8px}
.grid>div{padding:6px 8px 4px;border:1px solid var(--line);border-left:4px solid var(--ok-br);border-radius:6px;font-size:12px;
 font-family:ui-monospace,"DejaVu Sans Mono",monospace;white-space:nowrap;overflow:hidden;text-overflow:ellipsis}
.grid b{font:700 10px/16px system-ui,"DejaVu Sans",sans-serif;letter-spacing:.03em;padding:0 5px;border-radius:3px;border:1px solid;
 color:var(--ok);background:var(--ok-bg);border-color:var(--ok-br);margin-right:2px}
.grid i{font-style:normal;float:right;font-weight:600;margin-left:6px}
.grid>[data-state=ALARM]{border-left-color:var(--alarm)}
.grid [data-state=ALARM] b{color:var(--alarm);background:var(--alarm-bg);border-color:var(--alarm-br)}
.grid>[data-state=INSUFFICIENT_DATA]{border-left-color:#d9a400}
.grid [data-state=INSUFFICIENT_DATA] b{color:var(--insuff);background:var(--insuff-bg);border-color:var(--insuff-br)}
.grid>[data-state=DRAINED]{border-left-color:var(--drained)}
.grid [data-state=DRAINED] b{color:var(--drained);background:var(--drained-bg);border-color:var(--drained-br)}
svg.sparkline{display:block;width:232px;height:40px;margin:5px 0 2px;background:#fbfcfd;border-radius:3px;overflow:visible}
path.sparkline{fill:none;stroke:var(--ok);stroke-width:1.6;stroke-linejoin:round;stroke-linecap:round;vector-effect:non-scaling-stroke}
[data-state=ALARM] path.sparkline{stroke:var(--alarm)}
[data-state=DRAINED] path.sparkline{stroke:var(--drained)}
[data-state=INSUFFICIENT_DATA] path.sparkline{stroke:#b07d00}
svg.sparkline path:not(.sparkline){fill:none;stroke:#8a93a3;stroke-width:1;stroke-dasharray:4 3;vector-effect:non-scaling-stroke}
progress{width:120px;height:10px;vertical-align:middle;accent-color:var(--drained)}
td.progress{white-space:nowrap}
footer{color:var(--mute);font-size:12px;padding:0 16px 20px;max-width:1440px;margin:0 auto}
footer a{color:var(--drained);margin-right:8px}
@media (max-width:640px){
 main{padding:10px 8px}section{padding:8px 10px}
 header .counts{margin-left:0}
 table.reflow thead{display:none}
 table.reflow tr{display:block;padding:6px 0;border-bottom:1px solid var(--line)}
 table.reflow td,table.reflow th{display:block;border:0;padding:2px 4px;white-space:normal}
 table.reflow td::before{color:var(--mute);font-size:11px;text-transform:uppercase;margin-right:4px}
 #alerts td:nth-child(4)::before{content:"since"}#alerts td:nth-child(5)::before{content:"value"}
 #jobs td:nth-child(5)::before{content:"errors"}#jobs td:nth-child(6)::before{content:"eta / ended"}
 #jobs td:nth-child(7)::before{content:"output"}
 .num{text-align:left}
 .grid{grid-template-columns:1fr}
}
)css";

}  // namespace bw::agent
