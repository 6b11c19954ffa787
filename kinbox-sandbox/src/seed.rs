//! The workspace a sandbox starts with, unless asked to start empty: a
//! small Brazilian company's Kinbox, the same every time (ids included), so
//! that demos, docs and tests can name what is in it.
//!
//! Custom fields and sessions are read-only in the API, and pipelines,
//! stages and tags are what a deal workflow looks up by name, so these
//! are what a fresh sandbox needs. Deals start empty: the ones listed are
//! the ones you create.

use serde_json::{Value, json};

use crate::resources::{
    CAMPAIGNS, CONTACTS, CUSTOM_FIELDS, PIPELINES, PRODUCTS, Resource, SESSIONS, TAGS,
};
use crate::store::Id;
use crate::workspace::Workspace;

/// The seeded ObjectIds: 2024-03-01T12:00:00Z, fixed middle bytes, then a
/// number. New objects get ids of the current time, so they list after these.
fn object_id(n: u32) -> String {
    format!("65e1c3405eed5eed00{n:06x}")
}

/// Ids of the seeded objects, for docs and tests.
pub mod ids {
    /// Pipeline "Vendas".
    pub const PIPELINE_VENDAS: &str = "65e1c3405eed5eed00000001";
    /// Its stages: Prospecção, Proposta, Negociação, Fechamento.
    pub const STAGES_VENDAS: [&str; 4] = [
        "65e1c3405eed5eed00000101",
        "65e1c3405eed5eed00000102",
        "65e1c3405eed5eed00000103",
        "65e1c3405eed5eed00000104",
    ];
    /// Pipeline "Pós-venda".
    pub const PIPELINE_POS_VENDA: &str = "65e1c3405eed5eed00000002";
    /// Contacts Maria Oliveira, João Santos, Construtora Horizonte Ltda.
    pub const CONTACTS: [i64; 3] = [1001, 1002, 1003];
    /// Custom fields cpf, idade, segmento, vip, data_evento (deals).
    pub const CUSTOM_FIELDS: [i64; 5] = [301, 302, 303, 304, 305];
    /// Tags Lead quente, Indicação, Recompra.
    pub const TAGS: [i64; 3] = [201, 202, 203];
    /// Products Plano Básico (`PLANO-BASICO`), Plano Profissional (`PLANO-PRO`).
    pub const PRODUCTS: [&str; 2] = ["65e1c3405eed5eed00000401", "65e1c3405eed5eed00000402"];
    /// Campaigns Black Friday 2024 (executing, with chunk leads),
    /// Reativação de clientes (done).
    pub const CAMPAIGNS: [&str; 2] = ["65e1c3405eed5eed00000501", "65e1c3405eed5eed00000502"];
    /// Sessions with call ids 880001 (Maria, from Black Friday) and 880002 (João).
    pub const SESSIONS: [&str; 2] = ["65e1c3405eed5eed00000601", "65e1c3405eed5eed00000602"];
    pub const CALL_IDS: [i64; 2] = [880001, 880002];
}

/// Stores the seeded workspace in `workspace`.
pub(crate) fn populate(workspace: &mut Workspace) {
    for (resource, objects) in [
        (&PIPELINES, pipelines()),
        (&CONTACTS, contacts()),
        (&CUSTOM_FIELDS, custom_fields()),
        (&TAGS, tags()),
        (&PRODUCTS, products()),
        (&CAMPAIGNS, campaigns()),
        (&SESSIONS, sessions()),
    ] {
        store(workspace, resource, objects);
    }
    let leads = json!([
        {"contactId": ids::CONTACTS[0], "phone": "5585997281648", "name": "Maria Oliveira", "status": "sent", "chunk": 1},
        {"contactId": ids::CONTACTS[1], "phone": "5511987654321", "name": "João Santos", "status": "pending", "chunk": 1},
    ]);
    workspace.set_chunk_leads(ids::CAMPAIGNS[0], leads.to_string().into());
}

fn store(workspace: &Workspace, resource: &Resource, objects: Value) {
    let mut collection = workspace.write(resource);
    for object in objects.as_array().into_iter().flatten() {
        let mut object = object
            .as_object()
            .cloned()
            .expect("seed objects are objects");
        let id = match object.remove("id") {
            Some(Value::Number(n)) => Id::Integer(n.as_i64().expect("seed ids fit i64")),
            Some(Value::String(text)) => Id::Text(text.into()),
            other => panic!("seed object without an id: {other:?}"),
        };
        collection
            .insert_as(id, object)
            .expect("seed objects do not collide");
    }
}

fn stage(n: u32, name: &str, color: &str) -> Value {
    json!({"id": object_id(n), "name": name, "color": color, "requireds": []})
}

fn pipelines() -> Value {
    json!([
        {
            "id": ids::PIPELINE_VENDAS,
            "name": "Vendas",
            "position": 0,
            "stages": [
                stage(0x101, "Prospecção", "#4f8ef7"),
                stage(0x102, "Proposta", "#f7b84f"),
                stage(0x103, "Negociação", "#f77f4f"),
                stage(0x104, "Fechamento", "#3dbe6a"),
            ],
            "rules": [],
            "cadence": [],
            "lostReasons": ["Preço", "Concorrência", "Sem resposta"],
            "requiredCustomFieldIds": [],
            "privacy": {"type": "public", "groupIds": []},
            "authorId": 1,
        },
        {
            "id": ids::PIPELINE_POS_VENDA,
            "name": "Pós-venda",
            "position": 1,
            "stages": [
                stage(0x201, "Onboarding", "#4f8ef7"),
                stage(0x202, "Acompanhamento", "#f7b84f"),
                stage(0x203, "Renovação", "#3dbe6a"),
            ],
            "rules": [],
            "cadence": [],
            "lostReasons": ["Cancelamento", "Inadimplência"],
            "requiredCustomFieldIds": [],
            "privacy": {"type": "team", "groupIds": ["7"]},
            "authorId": 1,
        },
    ])
}

fn contact(id: i64, name: &str, phone: &str, email: &str, origin: &str, created: &str) -> Value {
    json!({
        "id": id, "name": name, "phone": phone, "email": email, "origin": origin,
        "createdAt": created, "customFields": {}, "crmData": {}, "isPrivate": false,
        "isImported": false, "hasConversation": true, "newContact": false,
    })
}

fn contacts() -> Value {
    let [maria, joao, horizonte] = ids::CONTACTS;
    json!([
        contact(
            maria,
            "Maria Oliveira",
            "5585997281648",
            "maria.oliveira@example.com",
            "whatsapp",
            "2024-03-04T13:15:00.000Z"
        ),
        contact(
            joao,
            "João Santos",
            "5511987654321",
            "joao.santos@example.com",
            "instagram",
            "2024-03-05T09:40:00.000Z"
        ),
        contact(
            horizonte,
            "Construtora Horizonte Ltda",
            "5531991234567",
            "compras@horizonte.example.com",
            "site",
            "2024-03-06T17:05:00.000Z"
        ),
    ])
}

fn custom_field(id: i64, name: &str, placeholder: &str, kind: &str, position: u32) -> Value {
    json!({
        "id": id, "name": name, "placeholder": placeholder, "entity": "deal", "type": kind,
        "description": null, "options": [], "position": position, "isActive": true,
        "isDeleted": false, "invisible": false, "isUniqueIdentifier": false,
        "isIntegration": false, "showAlways": true, "requiredToResolve": false,
        "resetOnNewCall": false,
    })
}

fn custom_fields() -> Value {
    let [cpf, idade, segmento, vip, data_evento] = ids::CUSTOM_FIELDS;
    let mut segment = custom_field(segmento, "Segmento", "segmento", "select", 2);
    segment["options"] = json!([
        {"value": "varejo", "label": "Varejo"},
        {"value": "atacado", "label": "Atacado"},
        {"value": "servicos", "label": "Serviços"},
    ]);
    let mut cpf = custom_field(cpf, "CPF", "cpf", "text", 0);
    cpf["isUniqueIdentifier"] = json!(true);
    json!([
        cpf,
        custom_field(idade, "Idade", "idade", "number", 1),
        segment,
        custom_field(vip, "Cliente VIP", "vip", "boolean", 3),
        custom_field(data_evento, "Data do evento", "data_evento", "date", 4),
    ])
}

fn tags() -> Value {
    let [quente, indicacao, recompra] = ids::TAGS;
    let public = json!({"type": "public"});
    json!([
        {"id": quente, "name": "Lead quente", "color": "#e74c3c", "privacy": public, "authorId": 1},
        {"id": indicacao, "name": "Indicação", "color": "#3498db", "privacy": public, "authorId": 1},
        {"id": recompra, "name": "Recompra", "color": "#2ecc71", "privacy": public, "authorId": 1},
    ])
}

fn products() -> Value {
    let [basico, pro] = ids::PRODUCTS;
    json!([
        {"id": basico, "name": "Plano Básico", "description": "Assinatura mensal, até 3 usuários",
         "price": 99.9, "externalId": "PLANO-BASICO", "isActive": true, "customFields": {}},
        {"id": pro, "name": "Plano Profissional", "description": "Assinatura mensal, até 15 usuários",
         "price": 249.9, "externalId": "PLANO-PRO", "isActive": true, "customFields": {}},
    ])
}

fn campaigns() -> Value {
    let [black_friday, reativacao] = ids::CAMPAIGNS;
    json!([
        {"id": black_friday, "name": "Black Friday 2024", "status": "executing",
         "scheduledAt": "2024-11-25T12:00:00.000Z", "totalLeads": 2},
        {"id": reativacao, "name": "Reativação de clientes", "status": "done",
         "scheduledAt": "2024-10-01T12:00:00.000Z", "totalLeads": 0},
    ])
}

fn sessions() -> Value {
    let [first, second] = ids::SESSIONS;
    let [maria, joao, _] = ids::CONTACTS;
    let [call_1, call_2] = ids::CALL_IDS;
    json!([
        {"id": first, "contactId": maria, "campaignId": ids::CAMPAIGNS[0], "callId": call_1,
         "channel": "whatsapp", "status": "resolved",
         "createdAt": "2024-11-25T14:02:00.000Z", "updatedAt": "2024-11-25T14:30:00.000Z"},
        {"id": second, "contactId": joao, "campaignId": null, "callId": call_2,
         "channel": "instagram", "status": "open",
         "createdAt": "2024-11-26T10:00:00.000Z", "updatedAt": "2024-11-26T10:45:00.000Z"},
    ])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_seeded_object_is_what_the_spec_answers() {
        let spec = kinbox_spec::spec();
        for (schema, objects) in [
            ("Pipeline", pipelines()),
            ("Contact", contacts()),
            ("CustomField", custom_fields()),
            ("Tag", tags()),
            ("Product", products()),
            ("Campaign", campaigns()),
            ("Session", sessions()),
        ] {
            let check = spec.schema(schema).unwrap();
            for object in objects.as_array().unwrap() {
                assert_eq!(check.check(object), Ok(()), "{schema} {object:#}");
            }
        }
    }

    #[test]
    fn the_named_ids_are_the_stored_ones() {
        let pipelines = pipelines();
        assert_eq!(pipelines[0]["id"], ids::PIPELINE_VENDAS);
        let stages: Vec<&Value> = pipelines[0]["stages"]
            .as_array()
            .unwrap()
            .iter()
            .map(|s| &s["id"])
            .collect();
        assert_eq!(stages, ids::STAGES_VENDAS);
        assert_eq!(object_id(2), ids::PIPELINE_POS_VENDA);
        assert_eq!(object_id(0x401), ids::PRODUCTS[0]);
        assert_eq!(object_id(0x502), ids::CAMPAIGNS[1]);
        assert_eq!(object_id(0x601), ids::SESSIONS[0]);
    }
}
