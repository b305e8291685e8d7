#pragma once
// Every subcommand of `visalign`, one factory per command file.

#include "apps/command.hpp"

namespace visalign::apps {

Command surface_info_command();
Command surface_geodesic_command();
Command surface_neighborhoods_command();
Command surface_convert_command();
Command surface_icosphere_command();
Command fmri_info_command();
Command fmri_roi_command();
Command fmri_simulate_command();
Command rsa_select_command();
Command rsa_roi_command();
Command rsa_layers_command();
Command rsa_searchlight_command();
Command encoding_fit_command();
Command encoding_predictivity_command();
Command encoding_eigenspectrum_command();
/// `visalign study CONFIG.json`: the whole core study (a group without command names).
Command study_command();
// The cnn commands: their descriptions (apps/cnn_command_info.cpp) for the command list of
// `visalign`, and the commands themselves, which live in the visalign-cnn program (LibTorch).
CommandInfo cnn_layers_info();
CommandInfo cnn_activations_info();
CommandInfo cnn_adversarial_info();
CommandInfo cnn_attack_info();
CommandInfo cnn_train_info();
CommandInfo cnn_eigenspectra_info();
CommandInfo cnn_tuning_info();
CommandInfo cnn_frequency_info();
CommandInfo cnn_v1_simulate_info();
CommandInfo cnn_white_noise_info();
CommandInfo cnn_predictivity_info();
CommandInfo cnn_compare_models_info();
Command cnn_layers_command();
Command cnn_activations_command();
Command cnn_adversarial_command();
Command cnn_attack_command();
Command cnn_train_command();
Command cnn_eigenspectra_command();
Command cnn_tuning_command();
Command cnn_frequency_command();
Command cnn_v1_simulate_command();
Command cnn_white_noise_command();
Command cnn_predictivity_command();
/// Runs the analysis commands of `analysis_commands` (found by name) on a list of models.
Command cnn_compare_models_command(const std::vector<Command>& analysis_commands);

}  // namespace visalign::apps
