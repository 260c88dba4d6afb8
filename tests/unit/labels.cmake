# Per-test labels, fixtures and extra libraries for tests/unit/test_*.c that are
# more than pure unit tests. Default: label "unit", no fixtures.
set(FC_LABELS_test_capture video)
set(FC_FIXTURES_test_capture video_fixtures)
set(FC_LIBS_test_synth fc_synth)
set(FC_LIBS_test_synth_render fc_synth)
set(FC_LIBS_test_analysis_synth fc_synth)
set(FC_LIBS_test_report fc_synth)
# tests/cli/html.sh opens the HTML report in headless Chromium.
set(FC_LABELS_cli_html "cli;html")
set(FC_LABELS_test_pose_reference model)
set(FC_LABELS_test_net model)
# the grabber reads lavfi sources in real time on a thread
set(FC_LABELS_test_grabber video)
# test_imgwarp checks every value against OpenCV's warpAffine
set(FC_LIBS_test_imgwarp fc_test_cvref)
# the segmented pose pass runs the lite model on samples/squat_side.mp4
set(FC_LABELS_test_segpass model)
