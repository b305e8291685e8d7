#include "apps/study_report.hpp"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <fstream>
#include <map>
#include <set>
#include <sstream>

#include <nlohmann/json.hpp>

#include "apps/provenance.hpp"
#include "apps/svg_plot.hpp"
#include "fmri/tsv_table.hpp"
#include "surface/atomic_output.hpp"
#include "surface/base64.hpp"
#include "surface/map_picture.hpp"

namespace visalign::apps {

namespace {

using Records = std::vector<std::map<std::string, std::string>>;

const char* const kAnColour = "#2b6cb0";  // RE-AN / AN: blue, as the paper's cold colours
const char* const kAiColour = "#c53030";  // RE-AI / AI: red, warm

std::string slurp(const std::filesystem::path& file) {
  std::ifstream stream(file, std::ios::binary);
  std::stringstream text;
  text << stream.rdbuf();
  return text.str();
}

double number(const std::string& text) {
  try {
    std::size_t used = 0;
    const double value = std::stod(text, &used);
    return used == text.size() ? value : std::nan("");
  } catch (const std::exception&) {
    return std::nan("");
  }
}

std::string fixed(double value, int digits = 3) {
  if (!std::isfinite(value)) return "n/a";
  char text[32];
  std::snprintf(text, sizeof text, "%.*f", digits, value);
  return text;
}

std::string p_text(double p) {
  if (!std::isfinite(p)) return "n/a";
  char text[32];
  std::snprintf(text, sizeof text, p < 0.001 ? "%.1e" : "%.3f", p);
  return text;
}

/// A resampling p-value: 0 of `draws` resamples is p < 1 / draws, not p = 0.
std::string resampling_p_text(double p, int draws) {
  if (p == 0 && draws > 0) return "< " + p_text(1.0 / draws);
  return p_text(p);
}

std::string html(const std::string& text) { return xml_escape(text); }

Records records_or_empty(const std::filesystem::path& file) {
  if (!std::filesystem::exists(file)) return {};
  return fmri::read_tsv_records(file);
}

std::string cell(const std::map<std::string, std::string>& row, const std::string& column) {
  const auto found = row.find(column);
  return found == row.end() ? "" : found->second;
}

std::string data_uri(const std::filesystem::path& file) {
  std::string extension = file.extension().string();
  for (char& c : extension) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  const std::string type = extension == ".png" ? "image/png" : extension == ".svg" ? "image/svg+xml" : "image/jpeg";
  return "data:" + type + ";base64," + surface::encode_base64(slurp(file));
}

/// An SVG file's <svg> element, for inlining (without an XML declaration).
std::string inline_svg(const std::filesystem::path& file) {
  const std::string text = slurp(file);
  const std::size_t start = text.find("<svg");
  return start == std::string::npos ? "" : text.substr(start);
}

/// A colour bar of the maps' diverging scale, as inline SVG.
std::string colour_bar(double low, double high, const std::string& label) {
  std::ostringstream svg;
  svg << "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"320\" height=\"46\" font-family=\"sans-serif\" font-size=\"11\">"
      << "<defs><linearGradient id=\"bar" << static_cast<int>(high * 1000) << "\">";
  for (int i = 0; i <= 10; ++i) {
    const auto c = surface::map_colour(low + (high - low) * i / 10.0, {low, high, true});
    char stop[96];
    std::snprintf(stop, sizeof stop, "<stop offset=\"%d%%\" stop-color=\"rgb(%d,%d,%d)\"/>", i * 10, c[0], c[1], c[2]);
    svg << stop;
  }
  svg << "</linearGradient></defs><rect x=\"30\" y=\"6\" width=\"260\" height=\"14\" fill=\"url(#bar" << static_cast<int>(high * 1000)
      << ")\" stroke=\"#555\"/>"
      << "<text x=\"30\" y=\"34\" text-anchor=\"middle\">" << fixed(low, 2) << "</text><text x=\"160\" y=\"34\" text-anchor=\"middle\">0</text>"
      << "<text x=\"290\" y=\"34\" text-anchor=\"middle\">" << fixed(high, 2) << "</text><text x=\"160\" y=\"45\" text-anchor=\"middle\" fill=\"#555\">"
      << html(label) << "</text></svg>";
  return svg.str();
}

std::string table_html(const std::vector<std::string>& header, const std::vector<std::vector<std::string>>& rows) {
  std::ostringstream out;
  out << "<table><thead><tr>";
  for (const std::string& h : header) out << "<th>" << html(h) << "</th>";
  out << "</tr></thead><tbody>";
  for (const auto& row : rows) {
    out << "<tr>";
    for (const std::string& c : row) out << "<td>" << html(c) << "</td>";
    out << "</tr>";
  }
  out << "</tbody></table>";
  return out.str();
}

std::string shorter_name(const std::string& name) {
  const std::size_t comma = name.find(',');
  return comma == std::string::npos ? name : name.substr(0, comma);
}

/// A small chart of AN against AI (blue, red) over layers, its two series still empty.
CategoryChart an_ai_chart(const std::string& title, const std::string& y_label, const std::vector<std::string>& layers) {
  CategoryChart chart;
  chart.title = title;
  chart.y_label = y_label;
  chart.categories = layers;
  chart.width = 460;
  chart.height = 300;
  chart.series = {{"AN", kAnColour, {}, {}, {}, {}}, {"AI", kAiColour, {}, {}, {}, {}}};
  return chart;
}

// ---- sections ----

std::string stimuli_section(const StudyLayout& layout) {
  std::ostringstream out;
  const Records rows = fmri::read_tsv_records(layout.stimuli_table);
  const std::filesystem::path folder = layout.stimuli_table.parent_path();
  std::map<std::string, std::map<std::string, std::map<std::string, std::string>>> by_image;  // id -> type -> row
  std::vector<std::string> order;
  for (const auto& row : rows) {
    const std::string id = cell(row, "image_id");
    if (by_image.count(id) == 0) order.push_back(id);
    by_image[id][cell(row, "image_type")] = row;
  }
  out << "<section id=\"stimuli\"><h2>Stimuli</h2><p>" << order.size()
      << " regular images (RE), each with an adversarial-noise (AN) and an adversarial-interference (AI) image; under each, the CNN's "
         "label and probability. Humans see AN images as noise and AI images as their RE image; the CNN sees AN images as the RE class "
         "and AI images as another class.</p><div class=\"stimuli\">";
  for (const std::string& id : order) {
    out << "<figure class=\"triple\"><div class=\"row\">";
    for (const char* type : {"RE", "AN", "AI"}) {
      const auto found = by_image[id].find(type);
      if (found == by_image[id].end()) continue;
      const auto& row = found->second;
      std::string label = cell(row, "predicted_name").empty() ? cell(row, "predicted") : shorter_name(cell(row, "predicted_name"));
      const std::string probability = cell(row, "predicted_probability");
      out << "<div class=\"thumb\"><img src=\"" << data_uri(folder / cell(row, "file")) << "\" alt=\"" << html(id + " " + type) << "\"><span>"
          << type << (label.empty() ? "" : ": " + html(label) + (probability.empty() ? "" : " (" + fixed(number(probability), 2) + ")"))
          << "</span></div>";
    }
    const auto re = by_image[id].find("RE");
    out << "</div><figcaption>" << html(id) << (re != by_image[id].end() && !cell(re->second, "category").empty() ? " · " + html(cell(re->second, "category")) : "")
        << "</figcaption></figure>";
  }
  out << "</div></section>";
  return out.str();
}

std::string roi_rsa_section(const StudyLayout& layout) {
  std::ostringstream out;
  out << "<section id=\"roi-rsa\"><h2>Figure 3 · RE-AN and RE-AI similarity in the brain</h2><p>Spearman correlation of each ROI's RE RDM "
         "with its AN and AI RDMs (mean over presentations; the "
      << layout.config.selection.per_hemisphere << " most reliable vertices per hemisphere). Error bars: the width of the 68% interval "
      << "of the bootstrap over vertices, centred on the value (resampled vertices repeat, which lowers the resampled similarities; the "
      << "intervals as computed are in the table files); * permutation p &lt; 0.05; AI&gt;AN: one-sided image-bootstrap p of "
      << "R(RE-AI) - R(RE-AN).</p><div class=\"charts\">";
  for (const StudySubjectLayout& subject : layout.subjects) {
    const Records rows = fmri::read_tsv_records(subject.roi_rsa / (subject.name + ".roi_rsa.tsv"));
    CategoryChart chart;
    chart.title = subject.name;
    chart.y_label = "similarity (Spearman r)";
    chart.categories = layout.config.rois;
    chart.width = 520;
    chart.height = 340;
    CategorySeries an{"R(RE-AN)", kAnColour, {}, {}, {}, {}}, ai{"R(RE-AI)", kAiColour, {}, {}, {}, {}};
    std::vector<std::vector<std::string>> table;
    for (const std::string& roi : layout.config.rois) {
      std::map<std::string, std::map<std::string, std::string>> measure;
      for (const auto& row : rows) {
        if (cell(row, "roi") == roi && cell(row, "hemispheres") == "both" && cell(row, "presentation") == "mean") measure[cell(row, "measure")] = row;
      }
      for (auto* series : {&an, &ai}) {
        // Resampling vertices with replacement repeats some of them, which lowers RDM correlations: the bootstrap
        // distribution lies below the observed value, so the bar shows the interval's width centred on the value.
        const auto& row = measure[series == &an ? "RE-AN" : "RE-AI"];
        const double value = number(cell(row, "value"));
        const double half_width = (number(cell(row, "ci68_high")) - number(cell(row, "ci68_low"))) / 2;
        series->values.push_back(value);
        series->low.push_back(value - half_width);
        series->high.push_back(value + half_width);
        series->marks.push_back(number(cell(row, "p_permutation")) < 0.05 ? "*" : "");
      }
      const auto& difference = measure["RE-AI minus RE-AN"];
      table.push_back({roi, fixed(an.values.back()), p_text(number(cell(measure["RE-AN"], "p_permutation"))), fixed(ai.values.back()),
                       p_text(number(cell(measure["RE-AI"], "p_permutation"))), fixed(number(cell(difference, "value"))),
                       resampling_p_text(number(cell(difference, "p_bootstrap_one_sided")), layout.config.rsa.bootstraps)});
    }
    chart.series = {an, ai};
    chart.footnote = "error bars: the width of the 68% vertex-bootstrap interval, centred on the value; * permutation p < 0.05";
    out << "<figure>" << render_category_chart(chart) << "<figcaption>"
        << table_html({"ROI", "R(RE-AN)", "p", "R(RE-AI)", "p", "AI - AN", "p (AI > AN)"}, table) << "</figcaption></figure>";
  }
  out << "</div>";
  const Records group = records_or_empty(layout.group / "group_roi_rsa.tsv");
  if (!group.empty() && layout.subjects.size() > 0) {
    std::vector<std::vector<std::string>> table;
    for (const auto& row : group) {
      table.push_back({cell(row, "roi"), cell(row, "pairs"), fixed(number(cell(row, "mean_RE-AN"))), fixed(number(cell(row, "mean_RE-AI"))),
                       fixed(number(cell(row, "t")), 2), cell(row, "df"), p_text(number(cell(row, "p")))});
    }
    out << "<h3>Over subjects</h3><p>Paired t-test of R(RE-AI) against R(RE-AN) over subjects x presentations.</p>"
        << table_html({"ROI", "pairs", "mean R(RE-AN)", "mean R(RE-AI)", "t", "df", "p"}, table);
  }
  out << "</section>";
  return out.str();
}

std::string maps_section(const StudyLayout& layout) {
  std::ostringstream out;
  out << "<section id=\"maps\"><h2>Figure 4 · Cortical maps of RE-AN and RE-AI similarity</h2>";
  if (layout.map_pictures.empty()) return out.str() + "<p>The searchlight was not run (searchlight.enabled is false).</p></section>";
  const nlohmann::json index = nlohmann::json::parse(slurp(layout.map_pictures / "maps.json"));
  if (index.contains("not_rendered")) {
    return out.str() + "<p class=\"warning\">The maps were not rendered: " + html(index["not_rendered"].get<std::string>()) +
           ". They are in the derivatives as GIFTI files (sub-*/hemi-*/*_sim.func.gii).</p></section>";
  }
  out << "<p>Searchlight RSA (" << fixed(layout.config.selection.radius_mm, 1) << " mm disks on the " << html(layout.config.selection.disk_surface)
      << " surface): at every vertex, the Spearman correlation of its disk's RE RDM with the AN and AI RDMs. Grey: no value (outside the flat "
         "patch, or an empty disk). One colour scale per subject.</p>";
  for (const StudySubjectLayout& subject : layout.subjects) {
    std::vector<const nlohmann::json*> pictures;
    for (const auto& picture : index["pictures"]) {
      if (picture["subject"] == subject.name) pictures.push_back(&picture);
    }
    if (pictures.empty()) continue;
    out << "<h3>" << html(subject.name) << "</h3>" << colour_bar((*pictures.front())["low"], (*pictures.front())["high"], "similarity (Spearman r)");
    std::vector<std::string> views;
    for (const auto* picture : pictures) {
      const std::string view = (*picture)["surface"];
      if (std::find(views.begin(), views.end(), view) == views.end()) views.push_back(view);
    }
    // A row per hemisphere: R(RE-AN) in every view, then R(RE-AI) in every view.
    out << "<table class=\"maps\"><thead><tr><th></th>";
    for (const char* measure : {"RE-AN", "RE-AI"}) out << "<th colspan=\"" << views.size() << "\">R(" << measure << ")</th>";
    out << "</tr><tr><th></th>";
    for (int m = 0; m < 2; ++m) {
      for (const std::string& view : views) out << "<th class=\"view\">" << html(view) << "</th>";
    }
    out << "</tr></thead><tbody>";
    for (const fmri::HemisphereFiles& h : subject.manifest.hemispheres) {
      out << "<tr><th>" << h.name << "</th>";
      for (const char* measure : {"RE-AN", "RE-AI"}) {
        for (const std::string& view : views) {
          out << "<td>";
          for (const auto* picture : pictures) {
            if ((*picture)["hemisphere"] == h.name && (*picture)["measure"] == measure && (*picture)["surface"] == view) {
              out << "<img class=\"map\" src=\"" << data_uri(layout.map_pictures / (*picture)["file"].get<std::string>()) << "\" alt=\""
                  << html(subject.name + " " + h.name + " " + measure + " " + view) << "\">";
            }
          }
          out << "</td>";
        }
      }
      out << "</tr>";
    }
    out << "</tbody></table>";
  }
  out << "</section>";
  return out.str();
}

std::string cnn_section(const StudyLayout& layout) {
  std::ostringstream out;
  const Records rows = fmri::read_tsv_records(layout.cnn_rsa / "layers.tsv");
  CategoryChart chart;
  chart.title = "RE-AN and RE-AI similarity across the CNN's layers";
  chart.note = layout.inputs.model_description;
  chart.y_label = "similarity (Spearman r)";
  chart.x_label = "layer";
  chart.lines = true;
  chart.categories = layout.inputs.layers;
  chart.width = 760;
  CategorySeries an{"R(RE-AN)", kAnColour, {}, {}, {}, {}}, ai{"R(RE-AI)", kAiColour, {}, {}, {}, {}};
  std::vector<std::vector<std::string>> table;
  std::vector<std::string> crossing;
  for (const std::string& layer : layout.inputs.layers) {
    std::map<std::string, std::map<std::string, std::string>> measure;
    for (const auto& row : rows) {
      if (cell(row, "layer") == layer && cell(row, "presentation") == "mean") measure[cell(row, "measure")] = row;
    }
    for (auto* series : {&an, &ai}) {
      const auto& row = measure[series == &an ? "RE-AN" : "RE-AI"];
      series->values.push_back(number(cell(row, "value")));
      series->low.push_back(number(cell(row, "ci95_low")));
      series->high.push_back(number(cell(row, "ci95_high")));
      series->marks.push_back(number(cell(row, "p_permutation")) < 0.05 ? "*" : "");
    }
    if (an.values.back() > ai.values.back()) crossing.push_back(layer);
    table.push_back({layer, fixed(an.values.back()), p_text(number(cell(measure["RE-AN"], "p_permutation"))), fixed(ai.values.back()),
                     p_text(number(cell(measure["RE-AI"], "p_permutation")))});
  }
  chart.series = {an, ai};
  chart.footnote = "error bars: 95% interval of the bootstrap over the layer's units; * permutation p < 0.05";
  out << "<section id=\"cnn\"><h2>Figure 5 · RE-AN and RE-AI similarity in the CNN</h2><p>The same RSA on each layer's activations to the "
      << layout.inputs.image_ids.size() * 3 << " images.</p><figure>" << render_category_chart(chart) << "</figure><p class=\"answer\">";
  if (crossing.empty()) {
    out << "R(RE-AN) stays below R(RE-AI) in every layer.";
  } else {
    out << "R(RE-AN) exceeds R(RE-AI) in " << crossing.size() << " of " << layout.inputs.layers.size() << " layers: ";
    for (std::size_t i = 0; i < crossing.size(); ++i) out << (i ? ", " : "") << html(crossing[i]);
    out << (crossing.size() == 1 && crossing.front() == layout.inputs.layers.back() ? " (the last layer only, as the paper's AlexNet)." : ".");
  }
  out << "</p>";
  const Records trends = records_or_empty(layout.cnn_rsa / "layers.trends.tsv");
  if (!trends.empty()) {
    std::vector<std::vector<std::string>> trend_rows;
    for (const auto& row : trends) {
      trend_rows.push_back({cell(row, "measure"), cell(row, "layers"), cell(row, "S"), fixed(number(cell(row, "z")), 2), p_text(number(cell(row, "p")))});
    }
    out << "<h3>Trend over layers (Mann-Kendall)</h3>" << table_html({"measure", "layers", "S", "z", "p"}, trend_rows);
  }
  out << "<details><summary>Values per layer</summary>" << table_html({"layer", "R(RE-AN)", "p", "R(RE-AI)", "p"}, table) << "</details></section>";
  return out.str();
}

std::string encoding_section(const StudyLayout& layout) {
  if (!layout.config.encoding.enabled) return "";
  std::ostringstream out;
  out << "<section id=\"encoding\"><h2>Figure 6 · Encoding models trained on RE, tested on AN and AI</h2><p>" << html(layout.config.encoding.method == "romp" ? "ROMP" : "OMP")
      << " models from each layer's units to each vertex, fitted on the RE images (sparsity "
      << (layout.config.encoding.sparsity > 0 ? std::to_string(layout.config.encoding.sparsity) : std::string("by leave-one-out"))
      << "); accuracy: Pearson r between measured and predicted responses of the ROI's vertices to the AN and AI images (responses averaged "
         "over presentations). Error bars: 95% interval over 80% vertex subsamples; * permutation p &lt; 0.05.</p>";
  for (const StudySubjectLayout& subject : layout.subjects) {
    const Records rows = fmri::read_tsv_records(subject.encoding / (subject.name + ".encoding.tsv"));
    out << "<h3>" << html(subject.name) << "</h3><div class=\"charts\">";
    for (const std::string& roi : layout.config.rois) {
      CategoryChart chart = an_ai_chart(subject.name + " · " + roi, "prediction accuracy (r)", layout.inputs.encoding_layers);
      for (const std::string& layer : layout.inputs.encoding_layers) {
        for (CategorySeries* series : {&chart.series[0], &chart.series[1]}) {
          std::map<std::string, std::string> found;
          for (const auto& row : rows) {
            if (cell(row, "roi") == roi && cell(row, "layer") == layer && cell(row, "responses") == "mean" && cell(row, "test") == series->label) found = row;
          }
          series->values.push_back(number(cell(found, "accuracy")));
          series->low.push_back(number(cell(found, "ci95_lower")));
          series->high.push_back(number(cell(found, "ci95_upper")));
          series->marks.push_back(number(cell(found, "p")) < 0.05 ? "*" : "");
        }
      }
      out << "<figure>" << render_category_chart(chart) << "</figure>";
    }
    out << "</div>";
  }
  out << "</section>";
  return out.str();
}

std::string best_layer_section(const StudyLayout& layout) {
  if (!layout.config.encoding.enabled) return "";
  std::ostringstream out;
  const Records shares = fmri::read_tsv_records(layout.group / "group_best_layer.tsv");
  out << "<section id=\"best-layer\"><h2>Figure S1 · Which layer predicts each vertex best</h2><p>The share of each ROI's vertices whose "
         "responses to the AN or AI images are best predicted by each layer's encoding model (mean over "
      << layout.subjects.size() << (layout.subjects.size() == 1 ? " subject" : " subjects") << ").</p><div class=\"charts\">";
  for (const std::string& roi : layout.config.rois) {
    CategoryChart chart = an_ai_chart(roi, "share of vertices", layout.inputs.encoding_layers);
    for (const std::string& layer : layout.inputs.encoding_layers) {
      for (CategorySeries* series : {&chart.series[0], &chart.series[1]}) {
        double value = std::nan("");
        for (const auto& row : shares) {
          if (cell(row, "roi") == roi && cell(row, "layer") == layer && cell(row, "test") == series->label) value = number(cell(row, "mean_proportion"));
        }
        series->values.push_back(value);
      }
    }
    out << "<figure>" << render_category_chart(chart) << "</figure>";
  }
  out << "</div>";
  for (const StudySubjectLayout& subject : layout.subjects) {
    const Records tests = records_or_empty(subject.encoding / "encoding_best_layer_tests.tsv");
    if (tests.empty()) continue;
    std::vector<std::vector<std::string>> table;
    for (const auto& row : tests) {
      table.push_back({cell(row, "test"), cell(row, "comparison"), cell(row, "scope"), cell(row, "pairs"), fixed(number(cell(row, "mean_difference"))),
                       fixed(number(cell(row, "t")), 2), p_text(number(cell(row, "p")))});
    }
    out << "<details><summary>" << html(subject.name) << ": paired t-tests of the best-layer shares</summary>"
        << table_html({"test", "comparison", "scope", "pairs", "mean difference", "t", "p"}, table) << "</details>";
  }
  out << "</section>";
  return out.str();
}

std::string model_versus_v1_section(const StudyLayout& layout) {
  if (layout.tuning.empty() && layout.eigenspectra.empty()) return "";
  std::ostringstream out;
  out << "<section id=\"v1\"><h2>The CNN against V1</h2>";
  if (!layout.tuning.empty()) {
    std::vector<std::vector<std::string>> table;
    for (const auto& row : fmri::read_tsv_records(layout.tuning / "summary.tsv")) {
      table.push_back({cell(row, "layer"), cell(row, "tuned_units"), fixed(number(cell(row, "score_mean"))), fixed(number(cell(row, "score_sd")))});
    }
    out << "<h3>Spatial-frequency tuning against De Valois' macaque V1</h3>" << table_html({"layer", "tuned units", "V1 score", "SD"}, table);
  }
  if (!layout.eigenspectra.empty()) {
    std::vector<std::vector<std::string>> table;
    for (const auto& row : fmri::read_tsv_records(layout.eigenspectra / "summary.tsv")) {
      table.push_back({cell(row, "layer"), fixed(number(cell(row, "alpha"))), fixed(number(cell(row, "r_squared")))});
    }
    out << "<h3>Eigenspectra</h3><figure>" << inline_svg(layout.eigenspectra / "eigenspectra.svg") << "</figure>"
        << table_html({"layer", "alpha", "r squared"}, table);
  }
  out << "</section>";
  return out.str();
}

std::string provenance_section(const StudyLayout& layout) {
  std::ostringstream out;
  std::vector<std::vector<std::string>> steps;
  for (const StepPlan& plan : layout.plans) {
    const std::filesystem::path record = layout.steps / plan.name / "step.json";
    std::string seconds = "n/a", command = plan.command;
    if (std::filesystem::exists(record)) {
      const nlohmann::json step = nlohmann::json::parse(slurp(record));
      seconds = fixed(step.value("seconds", std::nan("")), 1);
      command = step.value("command", command);
    }
    steps.push_back({plan.name, plan.cached ? "kept (done earlier)" : "ran", seconds, command.empty() ? "(in visalign study)" : command});
  }
  out << "<section id=\"provenance\"><h2>Provenance</h2><p>visalign " << VISALIGN_VERSION << ", report written " << html(iso8601_now())
      << "; seed " << layout.global.seed << ", " << layout.global.threads << " threads. Every output has a JSON sidecar with its full command "
      << "line, inputs and parameters; the steps are in <code>" << html(layout.steps.string()) << "</code>.</p>"
      << "<h3>Configuration</h3><pre>" << html(slurp(layout.config.file)) << "</pre><h3>Steps</h3>"
      << table_html({"step", "this run", "seconds", "command"}, steps);
  std::vector<std::vector<std::string>> subjects;
  for (const StudySubjectLayout& subject : layout.subjects) {
    const std::filesystem::path truth = subject.manifest.file.parent_path() / "ground_truth.json";
    std::string planted = "";
    if (std::filesystem::exists(truth)) {
      try {
        planted = nlohmann::json::parse(slurp(truth)).value("expected", "");
      } catch (const std::exception&) {
      }
    }
    subjects.push_back({subject.name, subject.manifest.file.string(), planted.empty() ? "" : "simulated; planted answer: " + planted});
  }
  out << "<h3>Subjects</h3>" << table_html({"subject", "manifest", "note"}, subjects) << "</section>";
  return out.str();
}

const char* const kStyle = R"(
body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;margin:0;color:#1a202c;background:#f7f7f5}
header{background:#1a365d;color:white;padding:18px 32px}header h1{margin:0 0 4px 0;font-size:24px}header p{margin:0;opacity:.85}
nav{background:#2c5282;padding:6px 32px;position:sticky;top:0;z-index:2}nav a{color:white;margin-right:18px;text-decoration:none;font-size:14px}
main{max-width:1400px;margin:0 auto;padding:8px 32px 48px}
section{background:white;border-radius:6px;box-shadow:0 1px 3px rgba(0,0,0,.12);padding:12px 24px 20px;margin:20px 0}
h2{font-size:19px;border-bottom:1px solid #e2e8f0;padding-bottom:6px}h3{font-size:16px;margin-top:18px}
.charts{display:flex;flex-wrap:wrap;gap:12px}figure{margin:6px 0}figcaption{font-size:13px}
table{border-collapse:collapse;font-size:13px;margin:6px 0}th,td{border:1px solid #e2e8f0;padding:3px 8px;text-align:left;vertical-align:top}
thead th{background:#edf2f7}table.maps td,table.maps th{border:none;text-align:center;padding:1px}table.maps th.view{font-weight:normal;font-size:11px;color:#4a5568}
img.map{width:200px;display:block}
.stimuli{display:flex;flex-wrap:wrap;gap:10px}.triple{border:1px solid #e2e8f0;border-radius:4px;padding:4px;margin:0}
.triple .row{display:flex;gap:3px}.thumb{display:flex;flex-direction:column;align-items:center;width:76px;font-size:10px;text-align:center}
.thumb img{width:72px;height:72px;image-rendering:pixelated;object-fit:cover;border:1px solid #ccc}
.triple figcaption{font-size:11px;color:#4a5568;text-align:center}.answer{font-weight:600}.warning{color:#9b2c2c}
pre{background:#f7fafc;border:1px solid #e2e8f0;padding:8px;font-size:12px;overflow:auto;max-height:400px}
details{margin:8px 0}summary{cursor:pointer;color:#2c5282}
#provenance table{width:100%}#provenance td:first-child{white-space:nowrap}#provenance td:last-child{overflow-wrap:anywhere;font-family:monospace;font-size:11px}
)";

}  // namespace

std::filesystem::path write_study_report(const StudyLayout& layout) {
  std::ostringstream page;
  page << "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width\"><title>"
       << html(layout.config.name) << " · visalign study</title><style>" << kStyle << "</style></head><body>";
  page << "<header><h1>" << html(layout.config.name) << "</h1><p>" << layout.subjects.size()
       << (layout.subjects.size() == 1 ? " subject" : " subjects") << " · " << html(layout.inputs.model_description) << " · "
       << layout.inputs.image_ids.size() << " RE images with their AN and AI images · ROIs ";
  for (std::size_t i = 0; i < layout.config.rois.size(); ++i) page << (i ? ", " : "") << html(layout.config.rois[i]);
  page << "</p></header><nav><a href=\"#stimuli\">Stimuli</a><a href=\"#roi-rsa\">ROI RSA</a><a href=\"#maps\">Maps</a><a href=\"#cnn\">CNN</a>";
  if (layout.config.encoding.enabled) page << "<a href=\"#encoding\">Encoding</a><a href=\"#best-layer\">Best layer</a>";
  if (!layout.tuning.empty() || !layout.eigenspectra.empty()) page << "<a href=\"#v1\">V1</a>";
  page << "<a href=\"#provenance\">Provenance</a></nav><main>";
  page << stimuli_section(layout) << roi_rsa_section(layout) << maps_section(layout) << cnn_section(layout) << encoding_section(layout)
       << best_layer_section(layout) << model_versus_v1_section(layout) << provenance_section(layout);
  page << "</main></body></html>\n";
  const std::filesystem::path file = layout.output / "report.html";
  surface::write_bytes_atomically(file, page.str());
  return file;
}

}  // namespace visalign::apps
