//! End-to-end tests: real git repositories in temporary folders, the real `portico`
//! binary, assertions on the files it writes.

mod build;
mod corpus;
mod deployments;
mod fixture;
mod fuzz;
mod gitbook;
mod hostile_files;
mod hostile_input;
mod hostile_output;
mod hostile_repos;
mod hostile_review;
mod hostile_serve;
mod incremental;
mod landing;
mod navigation;
mod pipeline;
mod process_audit;
mod process_check_repo;
mod process_cut;
mod process_new;
mod reader;
mod readme_era;
mod remote;
mod renames;
mod search;
mod serve;
mod versions;
