"""Built-in architectures: layer structure, output shapes, parameter counts worked by hand."""

import numpy as np
import pytest

from ml2dl import nn
from ml2dl.checks import InputError
from ml2dl.train import build_model, lesson_cnn, strong_cnn


def test_lesson_cnn_is_the_lectures_network():
    model = lesson_cnn(1, 28)
    kinds = [type(layer).__name__ for layer in model]
    assert kinds == ["Conv2d", "ReLU", "MaxPool2d", "Conv2d", "ReLU", "MaxPool2d", "Flatten", "Linear", "ReLU",
                     "Linear"]
    # conv 1→16: 16·9 + 16; conv 16→32: 32·16·9 + 32; dense 32·7·7 → 64; 64 → 1
    expected = (16 * 9 + 16) + (32 * 16 * 9 + 32) + (32 * 7 * 7 * 64 + 64) + (64 + 1)
    assert model.num_parameters() == expected == 105_281
    assert model(np.zeros((2, 1, 28, 28), np.float32)).shape == (2, 1)


def test_strong_cnn_structure_and_parameters():
    w = 16
    model = strong_cnn(1, 28, width=w)
    convs = [layer for layer in model if isinstance(layer, nn.Conv2d)]
    assert [(c.in_channels, c.out_channels) for c in convs] == [(1, w), (w, w), (w, 2 * w), (2 * w, 2 * w),
                                                                 (2 * w, 4 * w)]
    assert sum(isinstance(layer, nn.BatchNorm2d) for layer in model) == 5
    assert isinstance(model[-1], nn.Linear) and model[-1].in_features == 4 * w
    conv_params = sum(c.out_channels * (c.in_channels * 9 + 1) for c in convs)
    bn_params = sum(2 * c.out_channels for c in convs)
    assert model.num_parameters() == conv_params + bn_params + 4 * w + 1


@pytest.mark.parametrize("name", ["strong", "lesson"])
@pytest.mark.parametrize("channels,size", [(1, 28), (3, 28), (1, 64)])
def test_output_is_one_logit_for_28_and_64_pixels_and_rgb(name, channels, size):
    model = build_model(name, in_channels=channels, image_size=size, width=4)
    out = model.eval()(np.random.default_rng(0).random((3, channels, size, size), dtype=np.float32))
    assert out.shape == (3, 1) and out.dtype == np.float32


def test_same_seed_same_weights_and_different_seed_different_weights():
    a, b, c = (build_model("strong", width=4, seed=s) for s in (5, 5, 6))
    for (name, pa), (_, pb), (_, pc) in zip(a.named_parameters(), b.named_parameters(), c.named_parameters()):
        np.testing.assert_array_equal(pa.data, pb.data, err_msg=name)
    assert any(not np.array_equal(pa.data, pc.data) for pa, pc in zip(a.parameters(), c.parameters()))


def test_build_model_checks_its_arguments():
    with pytest.raises(InputError, match="unknown model 'resnet'"):
        build_model("resnet")
    with pytest.raises(InputError, match="has no option hidden"):
        build_model("strong", hidden=10)
    with pytest.raises(InputError, match="width must be a positive int, got 0"):
        build_model("strong", width=0)
    with pytest.raises(InputError, match=r"dropout must be a number in \[0, 1\), got 1.0"):
        build_model("strong", dropout=1.0)
    with pytest.raises(InputError, match="hidden must be a positive int, got 0"):
        build_model("lesson", hidden=0)
    with pytest.raises(InputError, match="image_size must be at least 4"):
        build_model("lesson", image_size=2)
    assert build_model("lesson", width=None).num_parameters() == 105_281  # None means "the default"


def test_checkpoint_of_a_built_model_round_trips(tmp_path):
    model = build_model("strong", width=4, seed=3)
    nn.save(model, tmp_path / "m.npz")
    again = nn.load(tmp_path / "m.npz")
    x = np.random.default_rng(0).random((2, 1, 28, 28), dtype=np.float32)
    np.testing.assert_array_equal(again.eval()(x), model.eval()(x))
