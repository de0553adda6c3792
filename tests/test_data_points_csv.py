"""The playground's "my own data" files: parsing, every bad file's message, scaling and the encoded form."""

import csv
import io

import numpy as np
import pytest

from ml2dl.checks import InputError
from ml2dl.data import points_csv as pc


def test_a_file_with_a_header_is_read_as_written():
    f = pc.read_points_csv(b"age,bmi,label\n23,17.5,0\n88,41,1\n\n50,30,1\n40,22,0\n")
    assert f.header and f.names == ("age", "bmi")
    assert f.X.tolist() == [[23, 17.5], [88, 41], [50, 30], [40, 22]]
    assert f.y.tolist() == [0, 1, 1, 0]


def test_the_header_is_optional_and_the_separator_may_be_a_semicolon_or_a_tab():
    plain = pc.read_points_csv(b"0.1,0.2,0\n0.3,0.4,1\n0.5,0.6,1\n0.7,0.8,0\n")
    assert not plain.header and plain.names == ("x1", "x2")
    semi = pc.read_points_csv("\ufeff1;2;0\r\n3;4;1\r\n5;6;1\r\n7;8;0\r\n".encode("utf-8"))  # BOM, CRLF
    tab = pc.read_points_csv(b"a\tb\tc\n1\t2\t0\n3\t4\t1\n5\t6\t1\n7\t8\t0\n")
    assert semi.X[:, 0].tolist() == [1, 3, 5, 7] and tab.names == ("a", "b")
    # what Python's csv module writes reads back
    buf = io.StringIO()
    csv.writer(buf).writerows([["x", "y", "label"], [1.5, -2e-3, 1], [0, 3, 0], [2, 2, 1], [1, 1, 0]])
    assert pc.read_points_csv(buf.getvalue().encode()).X[0].tolist() == [1.5, -0.002]


@pytest.mark.parametrize("data, message", [
    (b"", "the file is empty: expected lines of x1,x2,label"),
    (b"\n  \n", "the file is empty"),
    (b"x1,x2,label\n", "the file has a header and no points"),
    (b"x1,x2,label\n1,2,0\n3,4\n", "line 3: expected 3 columns (x1, x2, label), got 2: '3,4'"),
    (b"1,2,0,7\n", "line 1: expected 3 columns (x1, x2, label), got 4: '1,2,0,7'"),
    (b"a,b,c,d\n1,2,0\n", "line 1: expected 3 column names (x1, x2, label), got 4: 'a,b,c,d'"),
    (b"x1,x2,label\n1,2,0\n3,four,1\n", "line 3: x2 must be a number, got 'four'"),
    (b"a,b,label\n1,2,0\nnan,4,1\n", "line 3: a must be a finite number, got 'nan'"),
    (b"1,2,0\n3,inf,1\n", "line 2: x2 must be a finite number, got 'inf'"),
    (b"1,2,0\n3,4,2\n", "line 2: the label must be 0 or 1, got '2'"),
    (b"1,2,0\n3,4,yes\n", "line 2: the label must be a number, got 'yes'"),
    (b"1,2,1\n3,4,1\n5,6,1\n", "the labels must include both 0 and 1 (two classes to separate), got only 1s (3 rows)"),
    (b"1,2,1\n3,4,1\n5,6,0\n", "each label needs at least 2 points (one to train on, one to test), got 1 of label 0 and 2 of label 1"),
    (b"1,2,0\n\xff\xfe,3,1\n", "line 2: expected UTF-8 text (a CSV file), got the byte 0xff"),
])
def test_every_bad_file_says_where_and_what_was_expected(data, message):
    with pytest.raises(InputError) as err:
        pc.read_points_csv(data)
    assert message in str(err.value)
    assert not isinstance(err.value, pc.CsvTooLarge)


def test_the_limits_are_too_large_errors():
    rows = "".join(f"{i},{i},{i % 2}\n" for i in range(pc.MAX_ROWS + 1)).encode()
    assert len(rows) < pc.MAX_BYTES
    with pytest.raises(pc.CsvTooLarge, match=r"at most 1,000 rows of points, got 1,001"):
        pc.read_points_csv(rows)
    assert len(pc.read_points_csv(b"x,y,l\n" + rows[rows.index(b"\n") + 1:]).y) == pc.MAX_ROWS  # header + 1,000: fine
    with pytest.raises(pc.CsvTooLarge, match=r"at most 64 KB, got 64.0 KB or more"):
        pc.read_points_csv(b"1" * (pc.MAX_BYTES + 1))


def test_scaling_maps_each_column_onto_minus_one_one():
    X = np.array([[10.0, 5.0], [20.0, 5.0], [15.0, 5.0]])
    scaled, ranges = pc.scale_to_plane(X)
    assert scaled[:, 0].tolist() == [-1.0, 1.0, 0.0]  # 2 (x − 10) / 10 − 1, by hand
    assert scaled[:, 1].tolist() == [0.0, 0.0, 0.0]   # a constant column sits on the axis
    assert ranges == [(10.0, 20.0), (5.0, 5.0)]


def test_encode_decode_round_trip_within_the_quantisation():
    rng = np.random.default_rng(0)
    X = rng.normal(50, 20, size=(pc.MAX_ROWS, 2))
    y = (rng.uniform(size=pc.MAX_ROWS) < 0.4).astype(np.int64)
    f = pc.PointsCSV(X, y, ("glucose (mg/dL)", "age"), True)
    token = pc.encode(f)
    assert set(token) <= set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_")
    assert len(token) < 5800 < pc.LINK_LIMIT  # the largest file allowed still fits in a link
    d = pc.decode(token)
    scaled, ranges = pc.scale_to_plane(X)
    assert d.X.dtype == np.float32 and np.abs(d.X - scaled).max() <= 0.5 / 32767 + 1e-7
    assert d.y.tolist() == y.tolist() and d.names == ("glucose (mg/dL)", "age")
    assert d.ranges == tuple(ranges)
    assert d.digest() == pc.decode(token).digest() and len(d.digest()) == 16


@pytest.mark.parametrize("token", ["", "!!!", "AAAA", "x" * (pc.MAX_TOKEN + 1)])
def test_a_damaged_token_is_refused(token):
    with pytest.raises(InputError, match="data must be a data set this page encoded"):
        pc.decode(token)


def test_a_token_cut_short_is_refused():
    f = pc.read_points_csv(b"1,2,0\n3,4,1\n5,6,1\n7,8,0\n")
    token = pc.encode(f)
    with pytest.raises(InputError, match="does not decode"):
        pc.decode(token[:-6])
