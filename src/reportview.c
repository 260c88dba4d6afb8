/* reportview.c - text, JSON, CSV and HTML views of a report (see formcheck/reportview.h). */
#define _POSIX_C_SOURCE 200809L
#include "formcheck/reportview.h"

#include <cjson/cJSON.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "formcheck/error.h"

int fc_report_format_parse(const char *name)
{
    static const char *const names[] = {"text", "json", "csv", "html"};
    for (int i = 0; name && i < 4; i++)
        if (!strcmp(name, names[i]))
            return i;
    return -1;
}

static double gnum(const cJSON *o, const char *key)
{
    const cJSON *it = cJSON_GetObjectItemCaseSensitive(o, key);
    return cJSON_IsNumber(it) ? it->valuedouble : NAN;
}

static const char *gstr(const cJSON *o, const char *key, const char *def)
{
    const cJSON *it = cJSON_GetObjectItemCaseSensitive(o, key);
    return cJSON_IsString(it) ? it->valuestring : def;
}

static const cJSON *gobj(const cJSON *o, const char *key)
{
    return cJSON_GetObjectItemCaseSensitive(o, key);
}

/* A number for people: "-" when null. */
static const char *fmt(char *buf, size_t n, double v, int dec, const char *unit)
{
    if (!isfinite(v))
        snprintf(buf, n, "-");
    else
        snprintf(buf, n, "%.*f%s", dec, v, unit);
    return buf;
}

static const char *unit_suffix(const char *u)
{
    return !strcmp(u, "deg") ? "°" : !strcmp(u, "%leg") ? "%" : !strcmp(u, "s") ? " s" : "";
}

static const char *check_title(const char *id)
{
    static const struct {
        const char *id, *title;
    } t[] = {{"depth", "Depth"},
             {"trunk_lean", "Trunk lean"},
             {"knee_valgus", "Knee valgus"},
             {"heel_lift", "Heel lift"},
             {"hip_shift", "Hip shift"},
             {"knee_over_toes", "Knee/toes"},
             {"front_knee_angle", "Front knee"},
             {"back_knee_height", "Back knee"},
             {"torso_upright", "Torso"},
             {"tempo", "Tempo"}};
    for (size_t i = 0; i < sizeof t / sizeof t[0]; i++)
        if (!strcmp(t[i].id, id))
            return t[i].title;
    return id;
}

/* ---- text ---------------------------------------------------------------- */

#define C_RESET "\033[0m"

static const char *status_color(const char *st)
{
    return !strcmp(st, "pass") ? "\033[32m" : !strcmp(st, "warn") ? "\033[33m" : !strcmp(st, "fail") ? "\033[31m" : "\033[2m";
}

static const char *status_word(const char *st)
{
    return !strcmp(st, "pass") ? "ok" : !strcmp(st, "warn") ? "WARN" : !strcmp(st, "fail") ? "FAIL" : "n/a";
}

/* Pad a UTF-8 cell to `w` columns (counting code points, not bytes). */
static void cell(FILE *fp, const char *s, int w, const char *color)
{
    int cols = 0;
    for (const unsigned char *p = (const unsigned char *)s; *p; p++)
        cols += (*p & 0xC0) != 0x80;
    if (color)
        fputs(color, fp);
    fputs(s, fp);
    if (color)
        fputs(C_RESET, fp);
    for (; cols < w; cols++)
        fputc(' ', fp);
}

static void text_header(FILE *fp, const cJSON *r)
{
    const cJSON *in = gobj(r, "input"), *prof = gobj(r, "profile"), *model = gobj(r, "model");
    char b1[32], b2[32];

    fprintf(fp, "%s set, %s view", gstr(r, "exercise", "?"), gstr(r, "view", "?"));
    if (isfinite(gnum(r, "view_yaw_deg")))
        fprintf(fp, " (yaw %.0f°)", gnum(r, "view_yaw_deg"));
    fprintf(fp, ", profile %s (%s)\n", gstr(prof, "name", "?"), gstr(prof, "level", "?"));
    fprintf(fp, "input: %s, %s, %s fps, %.0fx%.0f, %.0f frames", gstr(in, "path", "?"),
            fmt(b1, sizeof b1, gnum(in, "duration_s"), 1, " s"), fmt(b2, sizeof b2, gnum(in, "fps"), 1, ""),
            gnum(in, "width"), gnum(in, "height"), gnum(in, "frames"));
    if (strcmp(gstr(model, "name", "unknown"), "unknown"))
        fprintf(fp, "; model %s %s", gstr(model, "name", "?"), gstr(model, "variant", "?"));
    fputc('\n', fp);
}

static void text_table(FILE *fp, const cJSON *reps, int color)
{
    const cJSON *first = cJSON_GetArrayItem(reps, 0), *c;
    char buf[64];

    if (!first) {
        fprintf(fp, "\nNo reps found.\n");
        return;
    }
    fprintf(fp, "\n");
    cell(fp, "Rep", 4, NULL);
    cell(fp, "Start", 8, NULL);
    cell(fp, "Bottom", 8, NULL);
    cell(fp, "End", 8, NULL);
    cell(fp, "Lead", 6, NULL);
    cell(fp, "Score", 6, NULL);
    cJSON_ArrayForEach(c, gobj(first, "checks")) cell(fp, check_title(gstr(c, "id", "?")), 13, NULL);
    fputc('\n', fp);
    const cJSON *rp;
    cJSON_ArrayForEach(rp, reps)
    {
        snprintf(buf, sizeof buf, "%.0f", gnum(rp, "index"));
        cell(fp, buf, 4, NULL);
        cell(fp, fmt(buf, sizeof buf, gnum(rp, "start_s"), 2, " s"), 8, NULL);
        cell(fp, fmt(buf, sizeof buf, gnum(rp, "bottom_s"), 2, " s"), 8, NULL);
        cell(fp, fmt(buf, sizeof buf, gnum(rp, "end_s"), 2, " s"), 8, NULL);
        cell(fp, gstr(rp, "lead_leg", "-"), 6, NULL);
        cell(fp, fmt(buf, sizeof buf, gnum(rp, "score"), 0, ""), 6, NULL);
        cJSON_ArrayForEach(c, gobj(rp, "checks"))
        {
            const char *st = gstr(c, "status", "?");
            char v[32];
            if (!strcmp(st, "not_assessed"))
                snprintf(buf, sizeof buf, "n/a");
            else
                snprintf(buf, sizeof buf, "%s %s", status_word(st),
                         fmt(v, sizeof v, gnum(c, "value"), !strcmp(gstr(c, "unit", ""), "s") ? 1 : 0,
                             unit_suffix(gstr(c, "unit", ""))));
            cell(fp, buf, 13, color ? status_color(st) : NULL);
        }
        fputc('\n', fp);
    }
    /* Cues for what to fix. */
    fprintf(fp, "\n");
    cJSON_ArrayForEach(rp, reps)
    {
        cJSON_ArrayForEach(c, gobj(rp, "checks"))
        {
            const char *st = gstr(c, "status", "?");
            if (strcmp(st, "warn") && strcmp(st, "fail"))
                continue;
            fprintf(fp, "rep %.0f: ", gnum(rp, "index"));
            cell(fp, status_word(st), 0, color ? status_color(st) : NULL);
            fprintf(fp, " %s\n", gstr(c, "cue", ""));
        }
    }
}

static void text_summary(FILE *fp, const cJSON *r)
{
    const cJSON *s = gobj(r, "summary"), *t = gobj(s, "tempo"), *lr = gobj(s, "left_right"), *w;
    char b1[32], b2[32], b3[32], b4[32], b5[32];
    const char *mf = gstr(s, "most_frequent_fault", NULL);

    fprintf(fp, "\nSet: %.0f reps, %.0f good, mean score %s", gnum(s, "reps"), gnum(s, "good_reps"),
            fmt(b1, sizeof b1, gnum(s, "mean_score"), 0, ""));
    if (mf)
    {
        double k = gnum(gobj(s, "fault_counts"), mf);
        fprintf(fp, "; most frequent fault: %s (%.0f rep%s)", mf, k, k == 1 ? "" : "s");
    }
    fprintf(fp, "\nTempo (mean): descent %s, pause %s, ascent %s\n", fmt(b1, sizeof b1, gnum(t, "descent_s"), 2, " s"),
            fmt(b2, sizeof b2, gnum(t, "pause_s"), 2, " s"), fmt(b3, sizeof b3, gnum(t, "ascent_s"), 2, " s"));
    const cJSON *L = gobj(lr, "left"), *R = gobj(lr, "right"), *D = gobj(lr, "difference");
    if (!strcmp(gstr(r, "exercise", ""), "lunge"))
        fprintf(fp, "Left/right lead: %.0f / %.0f reps, score %s / %s, front knee %s / %s (diff %s)\n",
                gnum(L, "reps"), gnum(R, "reps"), fmt(b1, sizeof b1, gnum(L, "mean_score"), 0, ""),
                fmt(b2, sizeof b2, gnum(R, "mean_score"), 0, ""), fmt(b3, sizeof b3, gnum(L, "front_knee_deg"), 1, "°"),
                fmt(b4, sizeof b4, gnum(R, "front_knee_deg"), 1, "°"),
                fmt(b5, sizeof b5, gnum(D, "front_knee_deg"), 1, "°"));
    else {
        fprintf(fp, "Left/right knee flexion at the bottom: %s / %s (diff %s)\n",
                fmt(b1, sizeof b1, gnum(L, "knee_flexion_deg"), 1, "°"),
                fmt(b2, sizeof b2, gnum(R, "knee_flexion_deg"), 1, "°"),
                fmt(b3, sizeof b3, gnum(D, "knee_flexion_deg"), 1, "°"));
        if (isfinite(gnum(L, "knee_in_deg")) || isfinite(gnum(R, "knee_in_deg")))
            fprintf(fp, "Left/right knee tracking (inside the toes, mean): %s / %s (diff %s)\n",
                    fmt(b1, sizeof b1, gnum(L, "knee_in_deg"), 1, "°"), fmt(b2, sizeof b2, gnum(R, "knee_in_deg"), 1, "°"),
                    fmt(b3, sizeof b3, gnum(D, "knee_in_deg"), 1, "°"));
    }
    if (cJSON_GetArraySize(gobj(r, "warnings")) > 0) {
        fprintf(fp, "Warnings:\n");
        cJSON_ArrayForEach(w, gobj(r, "warnings"))
            fprintf(fp, "  %6.1f s  %s\n", gnum(w, "t_s"), gstr(w, "message", ""));
    }
}

static void render_text(FILE *fp, const cJSON *r, int color)
{
    text_header(fp, r);
    text_table(fp, gobj(r, "reps"), color);
    text_summary(fp, r);
}

/* ---- CSV ----------------------------------------------------------------- */

static void csv_str(FILE *fp, const char *s)
{
    fputc('"', fp);
    for (; *s; s++) {
        if (*s == '"')
            fputc('"', fp);
        fputc(*s, fp);
    }
    fputc('"', fp);
}

static void csv_num(FILE *fp, double v, int dec)
{
    if (isfinite(v))
        fprintf(fp, "%.*f", dec, v);
}

static void render_csv(FILE *fp, const cJSON *r)
{
    const cJSON *rp, *c;

    fputs("rep,start_s,bottom_s,end_s,score,lead_leg,check,status,value,threshold,unit,cue\n", fp);
    cJSON_ArrayForEach(rp, gobj(r, "reps"))
    {
        cJSON_ArrayForEach(c, gobj(rp, "checks"))
        {
            fprintf(fp, "%.0f,", gnum(rp, "index"));
            csv_num(fp, gnum(rp, "start_s"), 3);
            fputc(',', fp);
            csv_num(fp, gnum(rp, "bottom_s"), 3);
            fputc(',', fp);
            csv_num(fp, gnum(rp, "end_s"), 3);
            fputc(',', fp);
            csv_num(fp, gnum(rp, "score"), 0);
            fprintf(fp, ",%s,%s,%s,", gstr(rp, "lead_leg", ""), gstr(c, "id", ""), gstr(c, "status", ""));
            csv_num(fp, gnum(c, "value"), 2);
            fputc(',', fp);
            csv_num(fp, gnum(c, "threshold"), 2);
            fprintf(fp, ",%s,", gstr(c, "unit", ""));
            csv_str(fp, gstr(c, "cue", ""));
            fputc('\n', fp);
        }
    }
}

/* ---- HTML ---------------------------------------------------------------- */

static void html_esc(FILE *fp, const char *s)
{
    for (; *s; s++)
        switch (*s) {
        case '<': fputs("&lt;", fp); break;
        case '>': fputs("&gt;", fp); break;
        case '&': fputs("&amp;", fp); break;
        case '"': fputs("&quot;", fp); break;
        default: fputc(*s, fp);
        }
}

#define PW 900.0 /* plot size in SVG units */
#define PH 320.0
#define PL 50.0
#define PR 50.0
#define PT 20.0
#define PB 40.0

#define PLOT_MAX_TICKS 100

typedef struct plot {
    double t0, t1, dmax;
} plot;

static double px_t(const plot *p, double t)
{
    return PL + (t - p->t0) / (p->t1 - p->t0) * (PW - PL - PR);
}

static double px_d(const plot *p, double d)
{
    return PT + (1.0 - d / p->dmax) * (PH - PT - PB);
}

static double px_k(double k)
{
    return PT + (1.0 - k / 180.0) * (PH - PT - PB);
}

static void polyline(FILE *fp, const plot *p, const cJSON *t, const cJSON *v, int knee, const char *color,
                     const char *id, const char *dash)
{
    const cJSON *a, *b;
    int open = 0;

    if (!cJSON_IsArray(t) || !cJSON_IsArray(v)) /* optional series may be absent */
        return;
    a = t->child;
    b = v->child;

    for (; a && b; a = a->next, b = b->next) {
        if (!cJSON_IsNumber(a) || !cJSON_IsNumber(b)) {
            if (open)
                fputs("\"/>\n", fp);
            open = 0;
            continue;
        }
        if (!open)
            fprintf(fp, "<polyline class=\"%s\" fill=\"none\" stroke=\"%s\" stroke-width=\"2\"%s points=\"", id,
                    color, dash);
        open = 1;
        fprintf(fp, "%.1f,%.1f ", px_t(p, a->valuedouble),
                knee ? px_k(b->valuedouble) : px_d(p, b->valuedouble));
    }
    if (open)
        fputs("\"/>\n", fp);
}

static void html_plot(FILE *fp, const cJSON *r)
{
    const cJSON *s = gobj(r, "series"), *t = gobj(s, "t_s"), *d = gobj(s, "depth"), *it, *rp;
    plot p = {0, 1, 0.6};

    if (!cJSON_IsArray(t) || !cJSON_IsArray(d))
        return;
    cJSON_ArrayForEach(it, t) if (cJSON_IsNumber(it)) p.t1 = it->valuedouble;
    if (cJSON_IsNumber(t->child))
        p.t0 = t->child->valuedouble;
    if (!(p.t1 > p.t0))
        p.t1 = p.t0 + 1;
    cJSON_ArrayForEach(it, d) if (cJSON_IsNumber(it) && it->valuedouble > p.dmax) p.dmax = it->valuedouble;
    fprintf(fp, "<svg id=\"plot\" xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 %.0f %.0f\" width=\"%.0f\" "
                "height=\"%.0f\" role=\"img\" aria-label=\"depth and knee angles over time\">\n",
            PW, PH, PW, PH);
    fprintf(fp, "<rect x=\"0\" y=\"0\" width=\"%.0f\" height=\"%.0f\" fill=\"#ffffff\"/>\n", PW, PH);
    cJSON_ArrayForEach(rp, gobj(r, "reps"))
    {
        double a = px_t(&p, gnum(rp, "start_s")), b = px_t(&p, gnum(rp, "end_s"));
        if (isfinite(a) && isfinite(b))
            fprintf(fp, "<rect class=\"rep\" x=\"%.1f\" y=\"%.0f\" width=\"%.1f\" height=\"%.0f\" fill=\"#e3e8f0\"/>\n"
                        "<text x=\"%.1f\" y=\"%.0f\" font-size=\"11\" fill=\"#555\">%.0f</text>\n",
                    a, PT, b - a, PH - PT - PB, a + 2, PT + 12, gnum(rp, "index"));
    }
    /* Axes and labels. */
    fprintf(fp, "<line x1=\"%.0f\" y1=\"%.0f\" x2=\"%.0f\" y2=\"%.0f\" stroke=\"#333\"/>\n", PL, PH - PB, PW - PR,
            PH - PB);
    for (int k = 0; k <= 180; k += 45)
        fprintf(fp, "<text x=\"%.0f\" y=\"%.1f\" font-size=\"10\" fill=\"#555\">%d°</text>\n", PW - PR + 4,
                px_k(k) + 3, k);
    /* Tick loops are capped: a damaged report may hold a huge or infinite range. */
    int ticks = 0;
    for (double tt = ceil(p.t0); tt <= p.t1 && ticks++ < PLOT_MAX_TICKS; tt += p.t1 - p.t0 > 30 ? 10 : 2)
        fprintf(fp, "<text x=\"%.1f\" y=\"%.0f\" font-size=\"10\" fill=\"#555\">%.0f s</text>\n", px_t(&p, tt) - 8,
                PH - PB + 14, tt);
    fprintf(fp, "<text x=\"4\" y=\"%.0f\" font-size=\"10\" fill=\"#1f5fbf\">depth (leg)</text>\n", PT - 6);
    ticks = 0;
    for (double dv = 0; dv <= p.dmax + 1e-9 && ticks++ < PLOT_MAX_TICKS; dv += 0.2)
        fprintf(fp, "<text x=\"%.0f\" y=\"%.1f\" font-size=\"10\" fill=\"#1f5fbf\">%.1f</text>\n", PL - 26,
                px_d(&p, dv) + 3, dv);
    polyline(fp, &p, t, d, 0, "#1f5fbf", "depth", "");
    /* The knees often overlap: the right one dashed over the left one. */
    polyline(fp, &p, t, gobj(s, "knee_left_deg"), 1, "#e07b00", "knee-left", "");
    polyline(fp, &p, t, gobj(s, "knee_right_deg"), 1, "#2a9d4a", "knee-right", " stroke-dasharray=\"6 4\"");
    /* Faults: a marker at the bottom of each rep with a warn or fail. */
    cJSON_ArrayForEach(rp, gobj(r, "reps"))
    {
        const cJSON *c;
        int worst = 0;
        cJSON_ArrayForEach(c, gobj(rp, "checks"))
        {
            const char *st = gstr(c, "status", "");
            worst = !strcmp(st, "fail") ? 2 : (!strcmp(st, "warn") && worst < 1) ? 1 : worst;
        }
        if (!worst)
            continue;
        fprintf(fp, "<circle class=\"fault\" cx=\"%.1f\" cy=\"%.0f\" r=\"6\" fill=\"%s\"><title>", px_t(&p, gnum(rp, "bottom_s")),
                PT + 24, worst == 2 ? "#d62828" : "#f2a900");
        cJSON_ArrayForEach(c, gobj(rp, "checks")) if (strcmp(gstr(c, "status", ""), "pass") &&
                                                      strcmp(gstr(c, "status", ""), "not_assessed"))
        {
            html_esc(fp, gstr(c, "cue", ""));
            fputs("\n", fp);
        }
        fputs("</title></circle>\n", fp);
    }
    fprintf(fp, "<text x=\"%.0f\" y=\"%.0f\" font-size=\"11\" fill=\"#e07b00\">left knee</text>"
                "<text x=\"%.0f\" y=\"%.0f\" font-size=\"11\" fill=\"#2a9d4a\">right knee</text>\n",
            PL, PH - 6, PL + 80, PH - 6);
    fputs("</svg>\n", fp);
}

static void html_table(FILE *fp, const cJSON *r)
{
    const cJSON *rp, *c, *first = cJSON_GetArrayItem(gobj(r, "reps"), 0);
    char buf[64];

    fputs("<table id=\"reps\">\n<thead><tr><th>Rep</th><th>Start</th><th>Bottom</th><th>End</th><th>Lead</th>"
          "<th>Score</th>",
          fp);
    cJSON_ArrayForEach(c, gobj(first, "checks")) fprintf(fp, "<th>%s</th>", check_title(gstr(c, "id", "?")));
    fputs("</tr></thead>\n<tbody>\n", fp);
    cJSON_ArrayForEach(rp, gobj(r, "reps"))
    {
        fprintf(fp, "<tr class=\"rep\"><td>%.0f</td><td>%.2f s</td><td>%.2f s</td><td>%.2f s</td><td>%s</td><td>%.0f</td>",
                gnum(rp, "index"), gnum(rp, "start_s"), gnum(rp, "bottom_s"), gnum(rp, "end_s"),
                gstr(rp, "lead_leg", "-"), gnum(rp, "score"));
        cJSON_ArrayForEach(c, gobj(rp, "checks"))
        {
            const char *st = gstr(c, "status", "?");
            fprintf(fp, "<td class=\"%s\" title=\"", st);
            html_esc(fp, gstr(c, "cue", ""));
            fprintf(fp, "\">%s %s</td>", status_word(st),
                    !strcmp(st, "not_assessed") ? ""
                                                : fmt(buf, sizeof buf, gnum(c, "value"), !strcmp(gstr(c, "unit", ""), "s"),
                                                      unit_suffix(gstr(c, "unit", ""))));
        }
        fputs("</tr>\n", fp);
    }
    fputs("</tbody>\n</table>\n", fp);
}

static void fc_reportview_html(FILE *fp, const cJSON *r)
{
    fputs("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>formcheck report</title>\n"
          "<style>\nbody{font-family:system-ui,sans-serif;margin:24px;color:#222}\n"
          "table{border-collapse:collapse;margin-top:16px}td,th{border:1px solid #ccc;padding:4px 8px;text-align:left}\n"
          "td.pass{background:#e6f4ea}td.warn{background:#fff4d6}td.fail{background:#fde2e1}"
          "td.not_assessed{color:#888}\npre{background:#f6f6f6;padding:8px}\n</style>\n</head>\n<body>\n",
          fp);
    fputs("<h1>formcheck: ", fp);
    html_esc(fp, gstr(r, "exercise", "?"));
    fputs(", ", fp);
    html_esc(fp, gstr(r, "view", "?"));
    fputs(" view</h1>\n", fp);
    html_plot(fp, r);
    html_table(fp, r);
    fputs("<h2>Summary</h2>\n<pre id=\"summary\">", fp);
    /* The text summary, escaped: one source of truth for the wording. */
    char *buf = NULL;
    size_t len = 0;
    FILE *mem = open_memstream(&buf, &len);
    if (mem) {
        text_summary(mem, r);
        fclose(mem);
        html_esc(fp, buf ? buf : "");
        free(buf);
    }
    fputs("</pre>\n</body>\n</html>\n", fp);
}

int fc_report_render(FILE *fp, const cJSON *report, int format, int color)
{
    char *text;

    if (!fp || !cJSON_IsObject(report))
        return FC_EINVAL;
    switch (format) {
    case FC_REPORT_TEXT: render_text(fp, report, color); break;
    case FC_REPORT_CSV: render_csv(fp, report); break;
    case FC_REPORT_HTML: fc_reportview_html(fp, report); break;
    case FC_REPORT_JSON:
        if (!(text = cJSON_Print(report)))
            return FC_ENOMEM;
        fputs(text, fp);
        fputc('\n', fp);
        free(text);
        break;
    default: return FC_EINVAL;
    }
    return ferror(fp) ? FC_EIO : 0;
}
