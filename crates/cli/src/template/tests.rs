//! Template behaviour checked against what docker printed for the same templates.

use super::*;

fn render(src: &str, data: &str) -> Result<String, String> {
    let v = Value::parse_json(data.as_bytes()).unwrap();
    Template::parse("", src)?.render(&v)
}

const NET: &str = r#"{"Name":"n1","Labels":{"b":"2","a":"1"},"IPAM":{"Driver":"default","Config":[{"Subnet":"10.0.0.0/8"},{"Subnet":"fd00::/64"}]},"Internal":false,"Tags":["x","y"]}"#;

#[test]
fn fields_nested_and_json() {
    assert_eq!(
        render("{{.Name}} {{.IPAM.Driver}}", NET).unwrap(),
        "n1 default"
    );
    assert_eq!(
        render("{{json .Labels}}", NET).unwrap(),
        r#"{"b":"2","a":"1"}"#
    );
    assert_eq!(render("{{.Labels}}", NET).unwrap(), "map[a:1 b:2]");
    assert_eq!(render("{{index .Labels \"a\"}}", NET).unwrap(), "1");
    assert_eq!(render("{{join .Tags \",\"}}", NET).unwrap(), "x,y");
}

#[test]
fn control_structures_and_trim_markers() {
    assert_eq!(
        render("{{range .IPAM.Config}}{{.Subnet}};{{end}}", NET).unwrap(),
        "10.0.0.0/8;fd00::/64;"
    );
    assert_eq!(
        render(
            "{{range $i, $c := .IPAM.Config}}{{$i}}={{$c.Subnet}} {{end}}",
            NET
        )
        .unwrap(),
        "0=10.0.0.0/8 1=fd00::/64 "
    );
    assert_eq!(
        render(
            "{{if .Internal}}int{{else if .Name}}named{{else}}none{{end}}",
            NET
        )
        .unwrap(),
        "named"
    );
    assert_eq!(
        render("{{with .IPAM}}{{.Driver}}{{end}}", NET).unwrap(),
        "default"
    );
    assert_eq!(render("a  {{- .Name -}}  b", NET).unwrap(), "an1b");
    assert_eq!(
        render("{{range $k, $v := .Labels}}{{$k}}{{$v}}{{end}}", NET).unwrap(),
        "a1b2"
    );
    assert_eq!(
        render(
            "{{/* note */}}{{len .Tags}} {{upper .Name}} {{eq .Name \"n1\"}}",
            NET
        )
        .unwrap(),
        "2 N1 true"
    );
}

#[test]
fn go_error_wording() {
    assert_eq!(
        render("{{.ID", NET).unwrap_err(),
        "template: :1: unclosed action"
    );
    assert_eq!(
        render("{{.Foo}}", NET).unwrap_err(),
        r#"template: :1:2: executing "" at <.Foo>: map has no entry for key "Foo""#
    );
    assert_eq!(
        render("{{nope .}}", NET).unwrap_err(),
        r#"template: :1: function "nope" not defined"#
    );
    let t = Template::parse("", "{{.Foo}}").unwrap();
    let err = t
        .execute(
            &Value::object(vec![]),
            Missing::Struct("*network.networkContext".into()),
            FuncSet::Basic,
        )
        .unwrap_err();
    assert_eq!(
        err.1,
        r#"template: :1:2: executing "" at <.Foo>: can't evaluate field Foo in type *network.networkContext"#
    );
}

#[test]
fn header_functions_keep_titles() {
    let t = Template::parse("", "{{upper .Name}}\t{{json .ID}}").unwrap();
    let h = Value::object(vec![("Name", "NAME".into()), ("ID", "NETWORK ID".into())]);
    assert_eq!(
        t.execute(&h, Missing::Zero, FuncSet::Header).unwrap(),
        "NAME\tNETWORK ID"
    );
}
