"""The example requests of docs/api.md, shared by the tests and the benchmark.

`L3_TO_RAW` asks exactly what `graph.read.l3_to_raw` answers through one raw Cypher query
(`cypher/api/l3_to_raw.cypher`), key for key, so the two can be compared.
"""

from __future__ import annotations

#: An L3 product down to its raw exposures: members (COMPOSITION), their antecedents, theirs (a product has a
#: few antecedents: `first: 5` keeps the answer-size estimate at 31,001, where their default of 1,000 under
#: composedOf's 1,000 would count a billion).
L3_TO_RAW = """query L3ToRaw($uri: String!) {
  product(uri: $uri) {
    uri filename level suffix calibLevel
    composedOf {
      uri filename level suffix calibLevel
      antecedents(first: 5) {
        uri filename level suffix calibLevel
        antecedents(first: 5) { uri filename level suffix calibLevel }
      }
    }
  }
}"""

#: Impact of a calibration reference file: the products calibrated with it, and what they compose.
REFERENCE_FILE_IMPACT = """query ReferenceFileImpact($name: String!) {
  productsUsingReference(name: $name, first: 3) {
    totalCount
    nodes { filename composes { filename } }
    pageInfo { hasNextPage endCursor }
  }
}"""

#: Minimum recommended products of a combined observation, mastgraph's rule and MAST's flag.
MINIMUM_RECOMMENDED_PRODUCTS = """query MinimumRecommendedProducts($obsId: String!) {
  observation(obsId: $obsId) {
    obsid level
    minimumRecommendedProducts { filename }
    mastMinimumRecommendedProducts { filename }
    members { obsId minimumRecommendedProducts { filename } }
  }
}"""

#: What went into a Level-3 product (its exposures' visits, observations, programs), and where a raw exposure ended up.
WHAT_WENT_INTO_IT = """query WhatWentIntoIt($uri: String!, $raw: String!) {
  product(uri: $uri) {
    filename
    inputs { exposures visits programObservations observations { obsId } programs { programId } }
  }
  raw: product(filename: $raw) { filename endProducts { filename } }
}"""

#: The Download Manager's list of an observation: Minimum Recommended Products, with the URI export.
DOWNLOAD_LIST = """query DownloadList($id: String!) {
  downloadList(id: $id) {
    count totalSize
    files { filename level productType mrp mastMrp category }
    uris
  }
}"""

#: The examples with their variables for the bundled sample (`mastgraph demo`).
EXAMPLES: dict[str, tuple[str, dict[str, str]]] = {
    "l3_to_raw": (L3_TO_RAW, {"uri": "mast:JWST/product/jw02733-o003_t001_miri_f1130w_i2d.fits"}),
    "reference_file_impact": (REFERENCE_FILE_IMPACT, {"name": "crds://jwst_miri_flat_0533.fits"}),
    "minimum_recommended_products": (MINIMUM_RECOMMENDED_PRODUCTS, {"obsId": "jw02733-o003_t001_miri_f1130w"}),
    "what_went_into_it": (WHAT_WENT_INTO_IT, {"uri": "mast:JWST/product/jw02733-o003_t001_miri_f1130w_i2d.fits",
                                              "raw": "jw02733003001_02103_00001_mirimage_uncal.fits"}),
    "download_list": (DOWNLOAD_LIST, {"id": "jw02733-o003_t001_miri_f1130w"}),
}
