// The graph's constraints and indexes; every statement is IF NOT EXISTS, so running it twice changes nothing.
// params: none
// Applied by `mastgraph init`, on start-up of the API, and after a bulk build.

// -- one unique key per node kind (model/vocabulary.py KEYS) --------------------------------------
CREATE CONSTRAINT program_key IF NOT EXISTS FOR (n:Program) REQUIRE n.program IS UNIQUE;
CREATE CONSTRAINT observation_key IF NOT EXISTS FOR (n:Observation) REQUIRE n.obsid IS UNIQUE;
CREATE CONSTRAINT product_key IF NOT EXISTS FOR (n:Product) REQUIRE n.uri IS UNIQUE;
CREATE CONSTRAINT association_key IF NOT EXISTS FOR (n:Association) REQUIRE n.name IS UNIQUE;
CREATE CONSTRAINT reference_file_key IF NOT EXISTS FOR (n:ReferenceFile) REQUIRE n.name IS UNIQUE;
CREATE CONSTRAINT crds_context_key IF NOT EXISTS FOR (n:CrdsContext) REQUIRE n.name IS UNIQUE;
CREATE CONSTRAINT mnemonic_key IF NOT EXISTS FOR (n:Mnemonic) REQUIRE n.name IS UNIQUE;
CREATE CONSTRAINT engineering_series_key IF NOT EXISTS FOR (n:EngineeringSeries) REQUIRE n.key IS UNIQUE;
CREATE CONSTRAINT external_product_key IF NOT EXISTS FOR (n:ExternalProduct) REQUIRE n.uri IS UNIQUE;

// -- lookups the loaders' derivations and the API use --------------------------------------
CREATE INDEX product_filename IF NOT EXISTS FOR (n:Product) ON (n.filename);
CREATE INDEX product_exposure_key IF NOT EXISTS FOR (n:Product) ON (n.exposure_key);
CREATE INDEX product_stem IF NOT EXISTS FOR (n:Product) ON (n.stem);
CREATE INDEX product_source_stem IF NOT EXISTS FOR (n:Product) ON (n.source_stem);
CREATE INDEX product_visit_id IF NOT EXISTS FOR (n:Product) ON (n.visit_id);
CREATE INDEX product_association IF NOT EXISTS FOR (n:Product) ON (n.association);
CREATE INDEX product_program IF NOT EXISTS FOR (n:Product) ON (n.program);
CREATE INDEX product_t_min IF NOT EXISTS FOR (n:Product) ON (n.t_min);
CREATE INDEX observation_obs_id IF NOT EXISTS FOR (n:Observation) ON (n.obs_id);
CREATE INDEX observation_program IF NOT EXISTS FOR (n:Observation) ON (n.program);
CREATE INDEX exposure_t_min IF NOT EXISTS FOR (n:Exposure) ON (n.t_min);
CREATE INDEX engineering_series_t_min IF NOT EXISTS FOR (n:EngineeringSeries) ON (n.t_min);
// the exposures and series longer than the bounds of the seeks above, by window class
// (pipeline/derive.py `window_class`): the engineering join finds the long windows holding a time
CREATE INDEX product_window_class IF NOT EXISTS FOR (n:Product) ON (n.window_class, n.t_min);
CREATE INDEX exposure_window_class IF NOT EXISTS FOR (n:Exposure) ON (n.window_class, n.t_min);
CREATE INDEX engineering_series_window_class IF NOT EXISTS FOR (n:EngineeringSeries) ON (n.window_class, n.t_min);
CREATE INDEX engineering_series_mnemonic IF NOT EXISTS FOR (n:EngineeringSeries) ON (n.mnemonic);
CREATE INDEX reference_file_reftype IF NOT EXISTS FOR (n:ReferenceFile) ON (n.reftype);
CREATE INDEX product_previews IF NOT EXISTS FOR (n:Product) ON (n.previews);
CREATE INDEX product_msametfl IF NOT EXISTS FOR (n:Product) ON (n.msametfl);
CREATE INDEX association_program_asn_id IF NOT EXISTS FOR (n:Association) ON (n.program, n.asn_id);
// the guide-star products of a visit, and its Level-1b exposures (`linked`): a seek per visit, not
// every product of the visit filtered by label
CREATE INDEX guide_star_visit_id IF NOT EXISTS FOR (n:GuideStar) ON (n.visit_id);
CREATE INDEX l1b_visit_id IF NOT EXISTS FOR (n:L1b) ON (n.visit_id);
// -- the search box (graph/search.py): prefix seeks; file names, obs_id, obsid, program and association
// -- names are served by the indexes above and the key constraints; programs typed without padding here
CREATE INDEX program_proposal_id IF NOT EXISTS FOR (n:Program) ON (n.proposal_id);
