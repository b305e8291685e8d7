// visalign study CONFIG.json: the whole analysis of the core study (seed 000) for one or more subjects and
// one CNN, as one command. The configuration (apps/study_config) is checked first, then every input
// (apps/study_inputs), before any step runs; the steps are the single commands (cnn adversarial, cnn
// activations, rsa layers, surface neighborhoods, rsa select, rsa roi, rsa searchlight, encoding fit,
// optionally cnn tuning and cnn eigenspectra) run as child processes, and the group statistics, the
// cortical map pictures and the derivatives done here, all cached by their inputs (apps/pipeline). The
// outputs are laid out as BIDS derivatives with a self-contained HTML report.

#include <cstdio>
#include <iostream>

#include "apps/command_table.hpp"
#include "apps/commands.hpp"
#include "apps/layer_activations.hpp"
#include "apps/pipeline.hpp"
#include "apps/study_config.hpp"
#include "apps/study_derivatives.hpp"
#include "apps/study_group.hpp"
#include "apps/study_inputs.hpp"
#include "apps/study_layout.hpp"
#include "apps/study_maps.hpp"
#include "apps/study_report.hpp"

namespace visalign::apps {

namespace {

struct StudyOptions {
  std::string config;
  bool dry_run = false;
};

void declare(StudyOptions& options, CommandDeclaration& declaration) {
  declaration.options.add_options()
      ("config", po::value(&options.config)->required()->value_name("JSON"), "the study configuration (README: The study)")
      ("dry-run", po::bool_switch(&options.dry_run), "check everything and list the steps (done earlier, or why each would run) without running any");
  declaration.positional.add("config", 1);
}

template <typename T>
std::vector<T> concatenated(std::vector<T> first, const std::vector<T>& second) {
  first.insert(first.end(), second.begin(), second.end());
  return first;
}

std::string joined(const std::vector<std::string>& items) {
  std::string text;
  for (const std::string& item : items) text += (text.empty() ? "" : ",") + item;
  return text;
}

std::filesystem::path this_program() {
  std::error_code error;
  const std::filesystem::path self = std::filesystem::read_symlink("/proc/self/exe", error);
  if (error) throw std::runtime_error("study: cannot find this program (/proc/self/exe)");
  return self;
}

/// The manifest and every file it names: what the subject's steps read.
std::vector<std::filesystem::path> subject_files(const fmri::SubjectManifest& manifest) {
  std::vector<std::filesystem::path> files = {manifest.file};
  for (const fmri::HemisphereFiles& h : manifest.hemispheres) {
    for (const auto& file : {h.white, h.pial, h.flat_patch, h.betas, h.design}) {
      if (!file.empty()) files.push_back(file);
    }
    for (const auto& [name, roi] : h.rois) {
      if (!roi.file.empty()) files.push_back(roi.file);
    }
    for (const auto& [name, localizer] : h.localizers) files.insert(files.end(), {localizer.betas, localizer.design});
  }
  return files;
}

/// The steps of the study, in order.
Pipeline study_pipeline(const StudyConfig& config, const StudyInputs& inputs, const std::filesystem::path& program, const GlobalOptions& global,
                        StudyLayout& layout) {
  Pipeline pipeline(layout.steps, program, global.verbosity == 0);
  const std::vector<std::string> model = model_arguments(config);
  const std::vector<std::string> common = {"--threads", std::to_string(global.threads), "--seed", std::to_string(global.seed)};
  const auto with = concatenated<std::string>;
  std::vector<std::string> analysis_steps;  // every step so far: what the in-process steps read
  auto add = [&](PipelineStep step) {
    analysis_steps.push_back(step.name);
    pipeline.add(std::move(step));
  };
  const std::vector<std::filesystem::path> model_files = {config.cnn.model.empty() ? config.cnn.network : config.cnn.model};

  // The stimuli: given complete, or AN and AI made from the RE images.
  std::vector<std::string> stimuli_steps;
  if (inputs.stimuli_complete) {
    layout.stimuli_table = config.stimuli.images;
  } else {
    std::vector<std::string> arguments = with({"cnn", "adversarial"}, model);
    arguments = with(arguments, {"--images", config.stimuli.images.string(), "--target", config.adversarial.target, "--threshold",
                                 std::to_string(config.adversarial.threshold)});
    if (config.adversarial.max_iterations > 0) arguments = with(arguments, {"--max-iterations", std::to_string(config.adversarial.max_iterations)});
    if (!config.cnn.class_names.empty()) arguments = with(arguments, {"--class-names", config.cnn.class_names.string()});
    add({"stimuli", "AN and AI images (cnn adversarial)", with(with(arguments, common), {"--out", "{out}"}), {},
                  concatenated<std::filesystem::path>(model_files, {config.stimuli.images, config.cnn.class_names}), {}, {}});
    layout.stimuli_table = pipeline.folder("stimuli") / "stimuli.tsv";
    stimuli_steps = {"stimuli"};
  }
  const std::vector<std::filesystem::path> stimuli_inputs = inputs.stimuli_complete ? std::vector<std::filesystem::path>{config.stimuli.images}
                                                                                    : std::vector<std::filesystem::path>{};

  // The CNN: activations of the 120 images, layer RSA with trend tests.
  add({"activations", "CNN activations (cnn activations)",
                with(with(with({"cnn", "activations"}, model), {"--images", layout.stimuli_table.string(), "--layers", joined(inputs.layers)}),
                     with(common, {"--out", "{out}"})),
                {}, concatenated<std::filesystem::path>(model_files, stimuli_inputs), stimuli_steps, {}});
  layout.layers_json = pipeline.folder("activations") / "layers.json";
  layout.cnn_rsa = pipeline.folder("cnn_rsa");
  layout.encoding_layers_json = layout.layers_json;
  if (config.encoding.enabled && inputs.encoding_layers.size() != inputs.layers.size()) {
    // The encoding models' layers: a layer list of some of the activations.
    add({"encoding_layers", "the layers of the encoding models", {},
         [&layout](const std::filesystem::path& folder) { write_layer_list_subset(layout.layers_json, layout.inputs.encoding_layers, folder / "layers.json"); },
         {}, {"activations"}, inputs.encoding_layers});
    layout.encoding_layers_json = pipeline.folder("encoding_layers") / "layers.json";
  }
  const std::vector<std::string> rsa_settings = {"--distance", config.rsa.distance, "--comparison", config.rsa.comparison, "--permutations",
                                                 std::to_string(config.rsa.permutations)};
  add({"cnn_rsa", "RSA of the CNN layers (rsa layers)",
                with(with({"rsa", "layers", layout.layers_json.string()}, rsa_settings),
                     with({"--bootstraps", std::to_string(config.rsa.bootstraps)}, with(common, {"--out", "{out}/layers.tsv"}))),
                {}, {}, {"activations"}, {}});
  if (config.model_versus_v1.tuning) {
    std::vector<std::string> convolutional;
    for (const StudyLayer& layer : inputs.model_layers) {
      if (layer.shape.size() == 3 && std::find(inputs.layers.begin(), inputs.layers.end(), layer.name) != inputs.layers.end()) {
        convolutional.push_back(layer.name);
      }
    }
    if (!convolutional.empty()) {
      add({"tuning", "spatial-frequency tuning of the CNN (cnn tuning)",
                    with(with({"cnn", "tuning"}, model), with({"--layers", joined(convolutional)}, with(common, {"--out", "{out}"}))), {},
                    model_files, {}, {}});
      layout.tuning = pipeline.folder("tuning");
    }
  }
  if (!config.model_versus_v1.eigenspectrum_images.empty()) {
    add({"eigenspectra", "eigenspectra of the CNN layers (cnn eigenspectra)",
                  with(with({"cnn", "eigenspectra"}, model),
                       with({"--images", config.model_versus_v1.eigenspectrum_images.string(), "--layers", joined(inputs.layers)},
                            with(common, {"--out", "{out}"}))),
                  {}, concatenated<std::filesystem::path>(model_files, {config.model_versus_v1.eigenspectrum_images}), {}, {}});
    layout.eigenspectra = pipeline.folder("eigenspectra");
  }

  // Every subject: searchlight disks per hemisphere, vertex selection, ROI RSA, searchlight maps, encoding models.
  for (const fmri::SubjectManifest& manifest : inputs.subjects) {
    const std::string s = manifest.subject;
    const std::vector<std::filesystem::path> files = subject_files(manifest);
    StudySubjectLayout subject;
    subject.name = s;
    subject.manifest = manifest;
    std::vector<std::string> geometry = {"--radius", std::to_string(config.selection.radius_mm), "--disk-surface", config.selection.disk_surface};
    std::vector<std::string> disk_steps;
    for (const fmri::HemisphereFiles& h : manifest.hemispheres) {
      std::vector<std::string> arguments = {"surface", "neighborhoods", h.white.string(), "--radius", std::to_string(config.selection.radius_mm)};
      if (config.selection.disk_surface == "flat") arguments = with(arguments, {"--patch", h.flat_patch.string()});
      if (config.selection.disk_surface == "midthickness") arguments = with(arguments, {"--pial", h.pial.string()});
      const std::string name = "disks_" + s + "_" + h.name;
      add({name, "searchlight disks, " + s + " " + h.name + " (surface neighborhoods)",
                    with(arguments, with(common, {"-o", "{out}/" + h.name + ".disks.nbhd"})), {}, {h.white, h.flat_patch, h.pial}, {}, {}});
      geometry = with(geometry, {"--disks", h.name + "=" + (pipeline.folder(name) / (h.name + ".disks.nbhd")).string()});
      disk_steps.push_back(name);
    }
    const std::vector<std::string> roi_settings = {"--rois", joined(config.rois), "--per-hemisphere", std::to_string(config.selection.per_hemisphere)};
    const std::string m = manifest.file.string();
    add({"selection_" + s, "vertex selection, " + s + " (rsa select)",
                  with(with({"rsa", "select", m}, roi_settings), with(geometry, with({"--distance", config.rsa.distance}, with(common, {"--out", "{out}"})))),
                  {}, files, disk_steps, {}});
    subject.selection = pipeline.folder("selection_" + s);
    add({"roi_rsa_" + s, "ROI RSA, " + s + " (rsa roi)",
                  with(with({"rsa", "roi", m}, roi_settings),
                       with(geometry, with(rsa_settings, with({"--bootstraps", std::to_string(config.rsa.bootstraps)}, with(common, {"--out", "{out}"}))))),
                  {}, files, disk_steps, {}});
    subject.roi_rsa = pipeline.folder("roi_rsa_" + s);
    if (config.searchlight.enabled) {
      add({"searchlight_" + s, "searchlight maps, " + s + " (rsa searchlight)",
                    with({"rsa", "searchlight", m},
                         with(geometry, with({"--distance", config.rsa.distance, "--comparison", config.rsa.comparison, "--permutations",
                                              std::to_string(config.searchlight.permutations)},
                                             with(common, {"--out", "{out}"})))),
                    {}, files, disk_steps, {}});
      subject.searchlight = pipeline.folder("searchlight_" + s);
    }
    if (config.encoding.enabled) {
      std::vector<std::string> arguments = with({"encoding", "fit", m, "--layers", layout.encoding_layers_json.string()}, roi_settings);
      arguments = with(arguments, {"--method", config.encoding.method, "--sparsity", std::to_string(config.encoding.sparsity), "--permutations",
                                   std::to_string(config.encoding.permutations), "--subsamples", std::to_string(config.encoding.subsamples)});
      if (!config.encoding.sparsity_candidates.empty()) {
        std::string candidates;
        for (const int c : config.encoding.sparsity_candidates) candidates += (candidates.empty() ? "" : ",") + std::to_string(c);
        arguments = with(arguments, {"--sparsity-candidates", candidates});
      }
      add({"encoding_" + s, "encoding models, " + s + " (encoding fit)", with(arguments, with(geometry, with(common, {"--out", "{out}"}))), {},
                    files, concatenated<std::string>(disk_steps, {layout.encoding_layers_json == layout.layers_json ? "activations" : "encoding_layers"}), {}});
      subject.encoding = pipeline.folder("encoding_" + s);
    }
    layout.subjects.push_back(subject);
  }

  // Here: the group statistics, the pictures of the maps, the derivatives and the report.
  pipeline.add({"group", "group statistics over subjects", {}, [&layout](const std::filesystem::path& folder) { write_group_statistics(layout, folder); },
                {}, analysis_steps, {"group-1"}});
  layout.group = pipeline.folder("group");
  if (config.searchlight.enabled) {
    pipeline.add({"map_pictures", "pictures of the searchlight maps (VTK)", {},
                  [&layout](const std::filesystem::path& folder) { render_study_maps(layout, folder); }, {}, analysis_steps, {"maps-1"}});
    layout.map_pictures = pipeline.folder("map_pictures");
  }
  return pipeline;
}

void run(const StudyOptions& options, RunContext& context) {
  const StudyConfig config = read_study_config(options.config);
  context.provenance().add_input(options.config);
  GlobalOptions global = context.global();
  if (config.seed) global.seed = *config.seed;
  if (config.threads) global.threads = *config.threads;
  const std::filesystem::path program = this_program();
  const StudyInputs inputs = check_study_inputs(config, program);
  if (std::filesystem::exists(config.output) && !std::filesystem::is_directory(config.output)) {
    throw std::runtime_error(config.file.string() + ": output: " + config.output.string() + " exists and is not a folder");
  }
  StudyLayout layout;
  layout.config = config;
  layout.inputs = inputs;
  layout.output = config.output;
  layout.steps = config.output / "steps";
  layout.global = global;
  const Pipeline pipeline = study_pipeline(config, inputs, program, global, layout);
  const std::vector<StepPlan> plans = pipeline.plan();
  std::size_t to_run = 0;
  for (const StepPlan& plan : plans) to_run += plan.cached ? 0 : 1;
  if (options.dry_run) {
    std::printf("%s: %zu subjects, %zu layers of %s; %zu of %zu steps would run\n", config.file.string().c_str(), inputs.subjects.size(),
                inputs.layers.size(), inputs.model_description.c_str(), to_run, plans.size());
    for (const StepPlan& plan : plans) {
      std::printf("  %-28s %s\n", plan.name.c_str(), plan.cached ? "done earlier (inputs unchanged)" : ("runs: " + plan.reason).c_str());
      if (!plan.cached && !plan.command.empty() && global.verbosity > 1) std::printf("      %s\n", plan.command.c_str());
    }
    return;
  }
  std::filesystem::create_directories(layout.steps);
  context.check_output_location(config.output / "report.html");
  layout.plans = plans;
  pipeline.run([&](const std::string& line) {
    if (global.verbosity > 0) std::cerr << "study " << line << std::endl;
  });
  write_study_derivatives(layout);
  const std::filesystem::path report = write_study_report(layout);
  context.finished_output(report);
  std::printf("%s\n", report.string().c_str());
}

}  // namespace

Command study_command() {
  return make_command<StudyOptions>(
      {"study", "", "the whole core study: subjects and a CNN to similarity maps, tables and a report",
       "Runs the analysis of the core study for the subjects and the CNN of a configuration file (README: The\n"
       "study): AN/AI images when the stimuli have RE images only, the CNN's layer activations and layer RSA with\n"
       "trend tests, and per subject the vertex selection, ROI RSA, searchlight maps and encoding models; then\n"
       "the group statistics, pictures of the maps, BIDS-derivative outputs and report.html. Everything is checked\n"
       "before the first step. Steps are cached by their inputs: a rerun (after a crash, or with a changed\n"
       "setting) redoes only what changed, and an unfinished step is never taken for a finished one."},
      declare, run);
}

}  // namespace visalign::apps
