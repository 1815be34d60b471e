"""File names (loaders/names.py): the exposure form's properties, and `parse_shared`."""

from __future__ import annotations

import pytest

from mastgraph.model.vocabulary import Label
from mastgraph.loaders import names


def test_exposure_name_with_segment_and_association() -> None:
    parsed = names.parse("JW01366004001_03101_00001-SEG003_NRS1_O004_CALINTS.fits")
    assert parsed.form == "exposure" and parsed.level == "2b" and parsed.labels == (Label.L2B,)
    assert parsed.props == {
        "program": "01366", "observation": "004", "visit": "001", "visit_id": "01366004001",
        "visit_group": "03", "parallel": "1", "activity": "01", "exposure": "00001", "segment": "003",
        "detector": "nrs1", "asn_id": "o004", "suffix": "calints", "extension": "fits", "level": "2b",
        "stem": "jw01366004001_03101_00001-seg003_nrs1_o004",
        "exposure_key": "jw01366004001_03101_00001-seg003_nrs1",
    }
    assert list(parsed.props) == list(names.parse("jw01366004001_03101_00001_nrs1_uncal.fits").props)


def test_exposure_name_without_optional_parts() -> None:
    props = names.parse("mast:JWST/product/jw02733002001_02103_00001_mirimage_rate.fits").props
    assert props["segment"] is None and props["asn_id"] is None
    assert props["stem"] == props["exposure_key"] == "jw02733002001_02103_00001_mirimage"


def test_parse_shared_is_parse_remembered() -> None:
    for name in ("jw02733002001_02103_00001_mirimage_cal.fits", "jw02733-o002_t001_miri_f770w_i2d.fits",
                 "jw02733002001_02103_00001_mirimage_cal_thumb.jpg", "jw02733_20220712t000000_pool.csv"):
        assert names.parse_shared(name) == names.parse(name)
        assert names.parse_shared(name) is names.parse_shared(name)
    for bad in ("readme.fits", "jw02733002001_02103_00001_mirimage_bogus.fits"):
        with pytest.raises(names.BadName) as shared:
            names.parse_shared(bad)
        with pytest.raises(names.BadName) as plain:
            names.parse(bad)
        assert str(shared.value) == str(plain.value)
