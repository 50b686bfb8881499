import Testing
@testable import Transport

@Suite struct RouterTests {
    /// Runs `request` through `router` and returns the response it produced.
    private func respond(
        _ router: Router, _ method: HTTPMethod, _ target: String
    ) -> HTTPResponse? {
        let box = ResponseBox()
        router.handle(HTTPRequest(method: method, target: target), Responder { event in
            if case .response(let response) = event { box.set(response) }
        })
        return box.get()
    }

    @Test func literalAndParameterSegments() {
        var router = Router()
        router.add(.get, "/v1/markets/:id") { request, responder in
            responder.respond(HTTPResponse(
                status: 200, contentType: "text/plain",
                text: "market \(request.parameter("id")!)"))
        }
        router.add(.get, "/v1/markets") { _, responder in
            responder.respond(HTTPResponse(status: 200, contentType: "text/plain", text: "list"))
        }
        #expect(respond(router, .get, "/v1/markets/m42")?.text == "market m42")
        #expect(respond(router, .get, "/v1/markets")?.text == "list")
        #expect(respond(router, .get, "/v1/markets/m42?x=1")?.text == "market m42")
        #expect(respond(router, .get, "/v1/markets/m42/extra")?.status == 404)
    }

    @Test func wrongMethodIs405WithAllow() {
        var router = Router()
        router.add(.post, "/v1/bets") { _, responder in
            responder.respond(HTTPResponse(status: 201))
        }
        let response = respond(router, .get, "/v1/bets")
        #expect(response?.status == 405)
        #expect(response?.headers["allow"] == "POST")
        #expect(response?.headers["content-type"] == "application/problem+json")
    }

    @Test func unknownPathIs404Problem() {
        let response = respond(Router(), .get, "/nothing")
        #expect(response?.status == 404)
        #expect(response?.text.contains("\"status\":404") == true)
    }

    @Test func headIsServedByGetRoute() {
        var router = Router()
        router.add(.get, "/healthz") { _, responder in
            responder.respond(HTTPResponse(status: 200))
        }
        #expect(respond(router, .head, "/healthz")?.status == 200)
    }

    @Test func restWildcardCapturesTail() {
        var router = Router()
        router.add(.get, "/static/*") { request, responder in
            responder.respond(HTTPResponse(
                status: 200, contentType: "text/plain", text: String(request.parameter("*")!)))
        }
        #expect(respond(router, .get, "/static/css/site.css")?.text == "css/site.css")
    }

    @Test func parametersAreReadAsBytesOrStrings() {
        var router = Router()
        router.add(.get, "/v1/:sport/:event/markets/:market/*") { request, responder in
            let market = request.withParameter("market") { Array($0) } ?? []
            let text = [
                request.parameter("sport"), request.parameter("event"),
                String(decoding: market, as: UTF8.self)[...], request.parameter("*"),
            ].map { String($0 ?? "nil") }.joined(separator: "|")
            #expect(request.withParameter("missing") { _ in true } == nil)
            #expect(request.parameter("missing") == nil)
            responder.respond(HTTPResponse(status: 200, contentType: "text/plain", text: text))
        }
        #expect(respond(router, .get, "/v1/football/fb-1/markets/fb-1-mo/a/b?x=1")?.text
            == "football|fb-1|fb-1-mo|a/b")
        #expect(respond(router, .get, "//v1//tennis/t-2/markets/t-2-mw/c")?.text
            == "tennis|t-2|t-2-mw|c")
        #expect(respond(router, .get, "/v1/tennis/t-2/markets")?.status == 404)
    }

    @Test func pathAndQueryAreSplitAtTheFirstQuestionMark() {
        let request = HTTPRequest(method: .get, target: "/a/b?x=1?y=2")
        #expect(request.path == "/a/b")
        #expect(request.query == "x=1?y=2")
        #expect(HTTPRequest(method: .get, target: "/plain").query == "")
    }

    @Test func queryParametersAreDecoded() {
        let request = HTTPRequest(
            method: .get, target: "/v1/x?sport=ice+hockey&name=a%2Fb&bad=%zz")
        #expect(request.queryParameter("sport") == "ice hockey")
        #expect(request.queryParameter("name") == "a/b")
        #expect(request.queryParameter("bad") == nil)
        #expect(request.queryParameter("missing") == nil)
        #expect(request.path == "/v1/x")
    }

    @Test func responderAnswersOnlyOnce() {
        let box = ResponseBox()
        let responder = Responder { event in
            if case .response(let response) = event { box.set(response) }
        }
        responder.respond(HTTPResponse(status: 200))
        responder.respond(HTTPResponse(status: 500))
        #expect(box.get()?.status == 200)
        #expect(box.count == 1)
    }
}

extension HTTPResponse {
    var text: String { String(decoding: body, as: UTF8.self) }
}
