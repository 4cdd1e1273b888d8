use coachai_operator::crd;

#[test]
fn the_crds_in_the_repository_are_generated_from_the_rust_types() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../crds");
    for (file, definition) in crd::all() {
        let expected = crd::to_yaml(&definition).unwrap();
        let found = std::fs::read_to_string(dir.join(file)).unwrap_or_default();
        assert!(
            found == expected,
            "crds/{file} is stale or missing: run `make crds` and commit the result"
        );
    }
}

#[test]
fn the_crd_reference_in_the_docs_is_generated_from_the_crds() {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("..")
        .join(crd::REFERENCE_PATH);
    let found = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        found == crd::reference(&crd::all()),
        "{} is stale or missing: run `make crds` and commit the result",
        crd::REFERENCE_PATH
    );
}

#[test]
fn every_field_of_the_creator_spec_is_described() {
    let yaml = crd::to_yaml(&crd::all()[0].1).unwrap();
    let spec: serde_json::Value = serde_json::to_value(&crd::all()[0].1).unwrap();
    let properties = &spec["spec"]["versions"][0]["schema"]["openAPIV3Schema"]["properties"]["spec"]
        ["properties"];
    for (name, field) in properties.as_object().unwrap() {
        assert!(
            field["description"].is_string(),
            "spec.{name} has no description:\n{yaml}"
        );
    }
}

#[test]
fn the_charts_crds_are_copies_of_the_repositorys() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let mut files: Vec<String> = std::fs::read_dir(root.join("crds"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    files.sort();
    let mut in_chart: Vec<String> = std::fs::read_dir(root.join("helm/coachai/crds"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    in_chart.sort();
    assert_eq!(
        in_chart, files,
        "run `make crds`: helm/coachai/crds must hold crds/*.yaml"
    );
    for file in files {
        let chart = std::fs::read_to_string(root.join("helm/coachai/crds").join(&file)).unwrap();
        let repository = std::fs::read_to_string(root.join("crds").join(&file)).unwrap();
        assert!(
            chart == repository,
            "helm/coachai/crds/{file} differs from crds/{file}: run `make crds`"
        );
    }
}
