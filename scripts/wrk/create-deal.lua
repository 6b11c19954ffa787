-- wrk script: POST one small valid deal per request (same body as
-- kinbox-sandbox/examples/fill.rs). The token comes from -H on the command line.
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.body = '{"name":"Pedido #1042","value":1890.5,"status":"open","pipelineId":"65f0c0ffee0000000000aaaa","stageId":"65f0c0ffee0000000000bbbb","customFields":{"cpf":{"value":"060.715.303-54"}},"contactId":123456}'
