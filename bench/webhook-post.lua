-- wrk script: one Steppay-shaped JSON webhook per request (stored as its own inbox row)
wrk.method = "POST"
wrk.body = '{"webHookType":"PAYMENT","orderId":1,"idKey":"1605793241347Bench00000000000"}'
wrk.headers["Content-Type"] = "application/json"
