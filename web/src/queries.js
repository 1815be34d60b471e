// The GraphQL requests of the page (docs/api.md); "copy as GraphQL" hands out the same text.

export const PRODUCT_FIELDS = "uri filename labels level suffix productType calibLevel size mastMrp";

export const LINEAGE = `query Lineage($uri: String!, $direction: LineageDirection!, $maxDepth: Int) {
  lineage(uri: $uri, direction: $direction, maxDepth: $maxDepth) {
    truncated
    nodes { depth product { ${PRODUCT_FIELDS} } }
    edges { from to type properties }
  }
}`;

export const SEARCH = `query Search($text: String!, $first: Int, $after: String) {
  search(text: $text, first: $first, after: $after) {
    hits { kind key label detail }
    endCursor hasNextPage
  }
}`;

export const EXAMPLES = `query Examples { examples { kind key label detail } }`;

export const RESOLVE_PRODUCT = `query Resolve($uri: String, $filename: String) {
  product(uri: $uri, filename: $filename) { uri }
}`;

export const OBSERVATION_PRODUCTS = `query ObservationProducts($obsid: String, $obsId: String) {
  observation(obsid: $obsid, obsId: $obsId) {
    obsid obsId level
    minimumRecommendedProducts { uri level calibLevel }
    products(first: 200) { nodes { uri level calibLevel productType } }
  }
}`;

export const ASSOCIATION_PRODUCTS = `query AssociationProducts($name: String!) {
  association(name: $name) { name products { uri level calibLevel } perSourceProducts { uri level calibLevel } }
}`;

export const PROGRAM_OBSERVATIONS = `query ProgramObservations($id: String!) {
  program(id: $id) { programId pi observations { obsid obsId level calibLevel instrument filters targetName } }
}`;

export const PRODUCT_DETAIL = `query ProductDetail($uri: String!) {
  product(uri: $uri) {
    uri filename labels level suffix extension productType subgroup calibLevel size description
    dataproductType dataRights expType mastMrp listed programId observationNumber visit visitId exposure
    detector asnId sourceId target instrument opticalElements calVer crdsVer tMin tMax effexptm
    observation { obsid obsId level }
    association { name asnType asnRule }
    multiplicityOf { name }
    aggregatedBy { obsid obsId }
    minimumRecommendedFor { obsid obsId }
    mastMinimumRecommendedFor { obsid obsId }
    referenceFiles { name reftype instrument }
    crdsContext { name }
    engineering { key mnemonicName tMin tMax nSamples }
    inputs { observations { obsid obsId level } visits programs { programId pi } exposures }
    endProducts { uri filename level }
    endProductsConnection { totalCount }
  }
}`;


export const DOWNLOAD_LIST = `query DownloadList($id: String!, $direction: LineageDirection, $all: Boolean,
    $levels: [String!], $productTypes: [String!], $suffixes: [String!]) {
  downloadList(id: $id, direction: $direction, all: $all, levels: $levels, productTypes: $productTypes,
      suffixes: $suffixes) {
    count totalSize uris curl csv
    files { uri filename level productType suffix size mrp mastMrp category }
  }
}`;

// "Copy as GraphQL": one document that fetches what is on screen (the lineage and each expansion). Each walk
// says how many products it reached (`limit`): the same products again, and a request whose estimated size
// (MASTGRAPH_MAX_RESULT_OBJECTS, docs/api.md) is what is on screen, not 30 walks of the server's largest.
export function onScreenDocument(start, direction, expansions, limit) {
  const lines = [`# The lineage shown in the mastgraph explorer; run it in GraphiQL (/graphql).`, `query OnScreen {`];
  const bound = (n) => (n ? `, limit: ${n}` : "");
  lines.push(`  lineage(uri: ${JSON.stringify(start)}, direction: ${direction}${bound(limit)}) { ...Walk }`);
  expansions.forEach((e, i) => {
    lines.push(`  expand${i + 1}: lineage(uri: ${JSON.stringify(e.uri)}, direction: ${e.direction}, maxDepth: 1${bound(e.limit)}) { ...Walk }`);
  });
  lines.push(`}`, ``, `fragment Walk on Lineage {`, `  truncated`,
    `  nodes { depth product { ${PRODUCT_FIELDS} } }`, `  edges { from to type properties }`, `}`);
  return lines.join("\n");
}
