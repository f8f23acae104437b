// docs.js: the API's own page. Swagger UI (vendor/swagger-ui, loaded before this file as the
// global SwaggerUIBundle) over this server's /openapi.json, with nothing fetched from elsewhere.
//
// The token typed in the bar is kept in sessionStorage ("silkstream.docs.token"), sent with the
// request for /openapi.json (which needs an operator or admin token when the server's
// `metrics_access` asks for one; loopback clients read it without) and handed to Swagger UI's
// "bearer" scheme, so "Try it out" sends it too. Swagger UI's own Authorize button works as well.
(function () {
  "use strict";
  var KEY = "silkstream.docs.token";
  var form = document.getElementById("token-form");
  var input = document.getElementById("token");
  var status = document.getElementById("status");
  var ui = null;

  function token() {
    try {
      return sessionStorage.getItem(KEY) || "";
    } catch (e) {
      return "";
    }
  }

  function say(text) {
    status.textContent = text;
  }

  function authorize() {
    var t = token();
    if (ui && t) ui.preauthorizeApiKey("bearer", t);
  }

  function load() {
    say("");
    ui = SwaggerUIBundle({
      url: "/openapi.json",
      dom_id: "#swagger-ui",
      deepLinking: true,
      validatorUrl: null,
      tryItOutEnabled: false,
      persistAuthorization: false,
      presets: [SwaggerUIBundle.presets.apis],
      plugins: [SwaggerUIBundle.plugins.DownloadUrl],
      layout: "BaseLayout",
      requestInterceptor: function (request) {
        var t = token();
        var headers = request.headers || (request.headers = {});
        if (t && !headers.Authorization && !headers.authorization) {
          headers.Authorization = "Bearer " + t;
        }
        return request;
      },
      responseInterceptor: function (response) {
        if (response && response.url && /\/openapi\.json$/.test(response.url) && !response.ok) {
          say(
            response.status === 401 || response.status === 403
              ? "This server shows /openapi.json to operators and admins only: paste an operator or admin token above."
              : "The server answered " + response.status + " for /openapi.json."
          );
        }
        return response;
      },
      onComplete: authorize,
    });
  }

  input.value = token();
  form.addEventListener("submit", function (event) {
    event.preventDefault();
    try {
      sessionStorage.setItem(KEY, input.value.trim());
    } catch (e) {
      // storage off: the token lives until the page closes
    }
    load();
  });
  document.getElementById("forget").addEventListener("click", function () {
    try {
      sessionStorage.removeItem(KEY);
    } catch (e) {
      // nothing stored
    }
    input.value = "";
    load();
  });
  load();
})();
