#include <fmt/format.h>

#include <fstream>
#include <sstream>

#include "harness/report/report_model.hpp"

namespace allocscope {

namespace {

std::string esc(const std::string& s) {
  std::string out;
  for (char c : s) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      default:
        out += c;
    }
  }
  return out;
}

std::string base64(const std::string& in) {
  static const char* tbl = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  out.reserve((in.size() + 2) / 3 * 4);
  size_t i = 0;
  for (; i + 2 < in.size(); i += 3) {
    unsigned v = static_cast<unsigned char>(in[i]) << 16 | static_cast<unsigned char>(in[i + 1]) << 8 |
                 static_cast<unsigned char>(in[i + 2]);
    out += tbl[v >> 18 & 63], out += tbl[v >> 12 & 63], out += tbl[v >> 6 & 63], out += tbl[v & 63];
  }
  if (i + 1 == in.size()) {
    unsigned v = static_cast<unsigned char>(in[i]) << 16;
    out += tbl[v >> 18 & 63], out += tbl[v >> 12 & 63], out += "==";
  } else if (i + 2 == in.size()) {
    unsigned v = static_cast<unsigned char>(in[i]) << 16 | static_cast<unsigned char>(in[i + 1]) << 8;
    out += tbl[v >> 18 & 63], out += tbl[v >> 12 & 63], out += tbl[v >> 6 & 63], out += '=';
  }
  return out;
}

const char* kStyle =
    R"(body{font-family:system-ui,-apple-system,Segoe UI,Helvetica,Arial,sans-serif;margin:2em auto;max-width:1150px;color:#222;padding:0 1em}
h1{font-size:1.6em}h2{font-size:1.25em;margin-top:1.8em;border-bottom:1px solid #ddd;padding-bottom:.2em}
table{border-collapse:collapse;margin:.6em 0;font-size:.85em}th,td{border:1px solid #ccc;padding:.25em .6em}
th{background:#f2f2f2}td.num{text-align:right;font-variant-numeric:tabular-nums}
figure{margin:1em 0}figure img{max-width:100%;border:1px solid #eee}figcaption{font-size:.85em;color:#555}
.ctx td:first-child{font-weight:600})";

}  // namespace

std::string HtmlReport::render(const ReportModel& m, const std::string& charts_dir) {
  std::string out = fmt::format(
      "<!DOCTYPE html>\n<html lang=\"en\"><head><meta "
      "charset=\"utf-8\"><title>{}</title>\n<style>{}</style></head>\n<body>\n",
      esc(m.title), kStyle);
  out += fmt::format("<h1>{}</h1>\n<p>Reference allocator: <b>{}</b>.</p>\n<table class=\"ctx\">\n", esc(m.title),
                     esc(m.reference));
  for (const auto& [k, v] : m.context) out += fmt::format("<tr><td>{}</td><td>{}</td></tr>\n", esc(k), esc(v));
  out += "</table>\n";
  for (const auto& s : m.sections) {
    out += fmt::format("<h2>{}</h2>\n", esc(s.title));
    if (!s.text.empty()) out += fmt::format("<p>{}</p>\n", esc(s.text));
    for (const auto& t : s.tables) {
      out += "<table>\n<tr>";
      for (const auto& h : t.header) out += "<th>" + esc(h) + "</th>";
      out += "</tr>\n";
      for (const auto& r : t.rows) {
        out += "<tr>";
        for (size_t i = 0; i < r.size(); ++i) out += (i ? "<td class=\"num\">" : "<td>") + esc(r[i]) + "</td>";
        out += "</tr>\n";
      }
      out += "</table>\n";
    }
    for (const auto& [file, caption] : s.images) {
      std::ifstream in(charts_dir + "/" + file, std::ios::binary);
      std::stringstream ss;
      ss << in.rdbuf();
      out += fmt::format(
          "<figure><img class=\"chart\" alt=\"{}\" "
          "src=\"data:image/png;base64,{}\"><figcaption>{}</figcaption></figure>\n",
          esc(caption), base64(ss.str()), esc(caption));
    }
  }
  out += "</body></html>\n";
  return out;
}

}  // namespace allocscope
