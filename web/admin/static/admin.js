// Staff admin: confirm before destructive actions, and follow a publish job's progress.
// No inline scripts: the pages' Content-Security-Policy allows only files from 'self'.
(function () {
  "use strict";
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (form.classList && form.classList.contains("confirm") && !window.confirm(form.dataset.confirm || "确定？")) {
      event.preventDefault();
    }
  });

  function follow(box) {
    var id = box.dataset.job;
    function update(job) {
      box.querySelector("[data-testid=job-status]").textContent = job.status_label;
      box.querySelector("[data-testid=job-status]").dataset.status = job.status;
      box.querySelector("[data-testid=job-stage]").textContent = job.stage;
      box.querySelector("[data-testid=job-message]").textContent = job.message;
      var bar = box.querySelector("progress");
      bar.value = job.progress;
      bar.textContent = job.progress + "%";
      if (job.status !== "running") {
        window.location.reload(); // the finished page lists scores and failing questions
      } else {
        window.setTimeout(poll, 2000);
      }
    }
    function poll() {
      fetch("/admin/api/publish/" + encodeURIComponent(id), { credentials: "same-origin" })
        .then(function (r) { return r.ok ? r.json() : Promise.reject(r.status); })
        .then(update)
        .catch(function () { window.setTimeout(poll, 5000); });
    }
    window.setTimeout(poll, 2000);
  }

  document.addEventListener("DOMContentLoaded", function () {
    var box = document.querySelector("[data-job][data-finished=no]");
    if (box) { follow(box); }
  });
})();
